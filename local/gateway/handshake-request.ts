/**
 * What API Gateway extracts from a WebSocket upgrade request: headers in both single- and multi-value form, the
 * query string, the caller's identity and the domain name. Built once per connection and reused by the
 * authorizer event and the `$connect` event.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { newTraceId } from './ids.js';

/** The parts of an upgrade request that appear in `$connect` and authorizer events. */
export interface HandshakeRequest {
  /** Last value per header name, names cased as the client sent them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  /** Absent when the URL has no query string (AWS omits the field rather than sending `{}` or `null`). */
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[]>>;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The Host header (what AWS reports as `domainName`), or `<host>:<port>` of the listener. */
  readonly domainName: string;
}

/**
 * Hop-by-hop headers that API Gateway consumes at its edge and never forwards to the integration: a real
 * `$connect` event has no `Connection` or `Upgrade` header.
 */
const DROPPED_HEADERS = new Set(['connection', 'upgrade']);

/** Reads the upgrade request the way API Gateway presents it to `$connect`. */
export function readHandshakeRequest(
  req: IncomingMessage,
  listener: { host: string; port: number },
): HandshakeRequest {
  const now = Date.now();
  const sourceIp = normaliseIp(req.socket.remoteAddress);
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (!DROPPED_HEADERS.has(name.toLowerCase())) pairs.push([name, req.rawHeaders[i + 1] ?? '']);
  }
  // API Gateway's edge adds these; handlers commonly read X-Forwarded-For for the caller's address.
  pairs.push(
    ['X-Amzn-Trace-Id', newTraceId(now)],
    ['X-Forwarded-For', sourceIp],
    ['X-Forwarded-Port', String(listener.port)],
    ['X-Forwarded-Proto', 'http'],
  );
  const { single: headers, multi: multiValueHeaders } = group(pairs);
  const query = readQuery(req.url ?? '/');
  return {
    headers,
    multiValueHeaders,
    ...query,
    sourceIp,
    userAgent: req.headers['user-agent'] ?? '',
    domainName: req.headers.host ?? `${listener.host}:${listener.port}`,
  };
}

/** Case-insensitive header lookup, as API Gateway does for `route.request.header.X` identity sources. */
export function headerValue(request: HandshakeRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function readQuery(
  url: string,
): Pick<HandshakeRequest, 'queryStringParameters' | 'multiValueQueryStringParameters'> {
  const index = url.indexOf('?');
  if (index === -1 || index === url.length - 1) return {};
  const params = new URLSearchParams(url.slice(index + 1));
  const { single, multi } = group([...params.entries()]);
  if (Object.keys(single).length === 0) return {};
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function group(pairs: readonly (readonly [string, string])[]): {
  single: Record<string, string>;
  multi: Record<string, string[]>;
} {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    const values = multi[name];
    if (values) values.push(value);
    else multi[name] = [value];
  }
  return { single, multi };
}

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:1.2.3.4`; AWS reports `1.2.3.4`. */
function normaliseIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
