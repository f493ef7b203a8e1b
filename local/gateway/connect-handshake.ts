/**
 * Everything API Gateway does between receiving an upgrade request and answering it: throttling (`$connect`'s
 * own bucket, or the stage's default), the `$connect` authorizer, then the `$connect` route. The outcome is either
 * "switch protocols, with these extra headers" or an HTTP status to answer with.
 *
 * @module
 */
import type { RouteModel } from '../model.js';
import {
  authorizerDecision,
  authorizerEvent,
  connectMethodArn,
  decisionOutcome,
  identitySourcesPresent,
} from './authorizer.js';
import {
  type AuthorizerContext,
  type ConnectionInfo,
  connectEvent,
  type RequestStamp,
  requestContext,
} from './event-format.js';
import type { HandshakeRequest } from './handshake-request.js';
import { failureOutcome, type InvocationRecorder, statusCodeOf } from './invocation.js';
import type { StageThrottle } from './throttle.js';

/** What the handshake needs from the gateway. */
export interface HandshakeContext {
  readonly region: string;
  readonly connectRoute?: RouteModel;
  readonly recorder: InvocationRecorder;
  readonly throttle?: StageThrottle;
}

/** Header lines to add to the 101 response, as returned by `$connect` (`Sec-WebSocket-Protocol` included). */
export type ResponseHeaders = readonly (readonly [string, string])[];

/** The answer to an upgrade request. */
export type HandshakeOutcome =
  | { readonly accepted: true; readonly headers: ResponseHeaders; readonly authorizer?: AuthorizerContext }
  | { readonly accepted: false; readonly statusCode: number };

/**
 * Runs throttling, the authorizer and `$connect` for one upgrade request. A `$connect` 2xx accepts; any other
 * status is answered as is; an integration failure or timeout is a 502, because API Gateway answers Bad Gateway
 * when the integration itself fails.
 */
export async function runConnectHandshake(
  context: HandshakeContext,
  info: ConnectionInfo,
  stamp: RequestStamp,
  request: HandshakeRequest,
): Promise<HandshakeOutcome> {
  if (context.throttle && !context.throttle.tryTake('$connect')) return { accepted: false, statusCode: 429 };
  const route = context.connectRoute;
  if (!route) return { accepted: true, headers: [] };

  let authorizer: AuthorizerContext | undefined;
  if (route.authorizer) {
    const { identitySources, functionId } = route.authorizer;
    if (!identitySourcesPresent(identitySources, request)) return { accepted: false, statusCode: 401 };
    const methodArn = connectMethodArn(context.region, info.apiId, info.stage);
    const event = authorizerEvent(methodArn, request, requestContext(info, stamp, '$connect', 'CONNECT'));
    const startedAt = Date.now();
    const result = await context.recorder.invoke(
      { routeKey: '$connect', connectionId: info.connectionId, functionId, event },
      (r) => decisionOutcome(authorizerDecision(r, methodArn, 0)),
    );
    const decision = authorizerDecision(result, methodArn, Date.now() - startedAt);
    if (!decision.allowed) return { accepted: false, statusCode: decision.statusCode };
    authorizer = decision.context;
  }

  const event = connectEvent(info, stamp, request, authorizer);
  const result = await context.recorder.invoke(
    { routeKey: '$connect', connectionId: info.connectionId, functionId: route.functionId, event },
    (r) => {
      if (!r.ok) return failureOutcome(r);
      const status = statusCodeOf(r.value);
      return isSuccess(status) ? String(status) : `rejected ${status}`;
    },
  );
  if (!result.ok) return { accepted: false, statusCode: 502 };
  const status = statusCodeOf(result.value);
  if (!isSuccess(status)) return { accepted: false, statusCode: status };
  return { accepted: true, headers: responseHeaders(result.value), ...(authorizer && { authorizer }) };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Headers the 101 must never carry twice or at all: `ws` writes the handshake headers itself. */
const RESERVED_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'content-length',
  'transfer-encoding',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SAFE_VALUE = /^[^\r\n\0]*$/;

/** `headers` and `multiValueHeaders` of a `$connect` proxy result, as header lines for the 101. */
function responseHeaders(value: unknown): ResponseHeaders {
  if (typeof value !== 'object' || value === null) return [];
  const { headers, multiValueHeaders } = value as Record<string, unknown>;
  const lines: [string, string][] = [];
  const add = (name: string, raw: unknown) => {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return;
    const text = String(raw);
    if (!TOKEN.test(name) || !SAFE_VALUE.test(text) || RESERVED_HEADERS.has(name.toLowerCase())) return;
    lines.push([name, text]);
  };
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, raw] of Object.entries(headers)) add(name, raw);
  }
  if (typeof multiValueHeaders === 'object' && multiValueHeaders !== null) {
    for (const [name, raw] of Object.entries(multiValueHeaders)) {
      if (Array.isArray(raw)) for (const item of raw) add(name, item);
    }
  }
  return lines;
}
