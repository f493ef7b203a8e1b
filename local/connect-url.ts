/**
 * The URL a client opens to reach a served API: its `ws://` URL with a query string and, when the API
 * authenticates (auth on), a development token, so tests, benchmarks and scripts connect the same way whether
 * the API authenticates or not.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { SUBJECT_PATTERN } from './auth/tokens.js';
import type { RuntimeApi } from './runtime.js';

/**
 * `api.url` with `query` appended, plus a `token` unless `query` names one itself (`token: ''` leaves it out,
 * to try a connection without one). The token is {@link RuntimeApi.tokenFor}'s for the user `query.clientId`
 * (a fresh user id when there is none, or when it is no valid user id: `$connect` then refuses the malformed
 * client id with 400), so each client id is its own user, as while auth is off, and `$connect`, which with auth
 * on accepts only a `clientId` equal to the token's user, accepts it; else {@link RuntimeApi.devToken}. A
 * caller that passes its own `token` and a `clientId` must make them agree (else 403).
 *
 * @example
 * await connectUrl(runtime.apis[0], { clientId: 'alice' }); // ws://127.0.0.1:40123/?clientId=alice&token=eyJ…
 */
export async function connectUrl(
  api: Pick<RuntimeApi, 'url' | 'devToken' | 'tokenFor'>,
  query: Readonly<Record<string, string>> = {},
): Promise<string> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'token' || value !== '') params.set(key, value);
  }
  if (!('token' in query)) {
    const token = api.tokenFor === undefined ? api.devToken : await api.tokenFor(userOf(query.clientId));
    if (token !== undefined) params.set('token', token);
  }
  const search = params.toString();
  return search === '' ? api.url : `${api.url}/?${search}`;
}

/** The user a client id stands for: itself when it is a valid user id, else a fresh one. */
const userOf = (clientId: string | undefined): string =>
  clientId !== undefined && SUBJECT_PATTERN.test(clientId) ? clientId : `client-${randomUUID().slice(0, 8)}`;
