/**
 * The URL a client opens to reach a served API: its `ws://` URL with a query string, carrying the session's
 * development token when the API has one (auth on), so tests, benchmarks and scripts connect the same way
 * whether the API authenticates or not.
 *
 * @module
 */
import type { RuntimeApi } from './runtime.js';

/**
 * `api.url` with `query` appended, plus `token` = {@link RuntimeApi.devToken} unless `query` names a token
 * itself (`token: ''` leaves it out, to try a connection without one).
 *
 * @example
 * connectUrl(runtime.apis[0], { clientId: 'alice' }); // ws://127.0.0.1:40123/?clientId=alice&token=eyJ…
 */
export function connectUrl(
  api: Pick<RuntimeApi, 'url' | 'devToken'>,
  query: Readonly<Record<string, string>> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'token' || value !== '') params.set(key, value);
  }
  if (!('token' in query) && api.devToken !== undefined) params.set('token', api.devToken);
  const search = params.toString();
  return search === '' ? api.url : `${api.url}/?${search}`;
}
