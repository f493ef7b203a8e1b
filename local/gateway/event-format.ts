/**
 * The Lambda proxy events API Gateway sends for WebSocket routes, field for field. Each quirk of the real
 * service is commented where it is reproduced.
 *
 * @module
 */
import type { HandshakeRequest } from './handshake-request.js';

/** What API Gateway reports about the caller on every event of a connection. */
export interface ConnectionIdentity {
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** The facts fixed when a connection is opened and repeated in every event of that connection. */
export interface ConnectionInfo {
  readonly connectionId: string;
  /** Epoch ms of the upgrade request. */
  readonly connectedAt: number;
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly identity: ConnectionIdentity;
}

/**
 * `requestContext.authorizer`: the authorizer's `principalId`, its `integrationLatency` (ms) and its `context`
 * entries. AWS stringifies context values (`1` → `"1"`, `true` → `"true"`); `integrationLatency` stays a number.
 */
export type AuthorizerContext = Readonly<Record<string, string | number>>;

/** One request through the gateway: its id and when it arrived. */
export interface RequestStamp {
  readonly requestId: string;
  readonly requestTimeEpoch: number;
}

/** `requestContext` of a WebSocket proxy event. */
export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly messageId?: string;
  readonly extendedRequestId: string;
  readonly requestTime: string;
  readonly messageDirection: 'IN';
  readonly stage: string;
  readonly connectedAt: number;
  readonly requestTimeEpoch: number;
  readonly identity: ConnectionIdentity;
  readonly requestId: string;
  readonly domainName: string;
  readonly connectionId: string;
  readonly apiId: string;
  readonly authorizer?: AuthorizerContext;
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
}

/** A WebSocket Lambda proxy event (`$connect`, a message route, or `$disconnect`). */
export interface WebSocketEvent {
  readonly requestContext: WebSocketRequestContext;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[]>>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** API Gateway's `requestTime`: CLF style, always UTC, e.g. `09/Feb/2024:18:11:43 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const month = MONTHS[d.getUTCMonth()] ?? 'Jan';
  return (
    `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** The `requestContext` shared by every event type; the authorizer event reuses the `$connect` one. */
export function requestContext(
  info: ConnectionInfo,
  stamp: RequestStamp,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
): WebSocketRequestContext {
  return {
    routeKey,
    eventType,
    // AWS sets extendedRequestId to the same value as requestId on WebSocket events.
    extendedRequestId: stamp.requestId,
    requestTime: formatRequestTime(stamp.requestTimeEpoch),
    // Always IN: API Gateway only invokes integrations for client-to-server traffic.
    messageDirection: 'IN',
    stage: info.stage,
    connectedAt: info.connectedAt,
    requestTimeEpoch: stamp.requestTimeEpoch,
    identity: info.identity,
    requestId: stamp.requestId,
    domainName: info.domainName,
    connectionId: info.connectionId,
    apiId: info.apiId,
  };
}

/**
 * The `$connect` event: the only event with the handshake's headers and query string. The query fields are
 * omitted altogether when the URL has none. There is no `body`.
 */
export function connectEvent(
  info: ConnectionInfo,
  stamp: RequestStamp,
  request: HandshakeRequest,
  authorizer?: AuthorizerContext,
): WebSocketEvent {
  const context = requestContext(info, stamp, '$connect', 'CONNECT');
  return {
    headers: request.headers,
    multiValueHeaders: request.multiValueHeaders,
    ...(request.queryStringParameters && {
      queryStringParameters: request.queryStringParameters,
      multiValueQueryStringParameters: request.multiValueQueryStringParameters,
    }),
    requestContext: authorizer ? { ...context, authorizer } : context,
    isBase64Encoded: false,
  };
}

/**
 * A message event. `routeKey` is the selected route's own key (`subscribe`), or `$default` for a fallback.
 * Message events carry no headers; each message gets its own `messageId` and `requestId`.
 */
export function messageEvent(
  info: ConnectionInfo,
  stamp: RequestStamp,
  messageId: string,
  routeKey: string,
  body: string,
  authorizer?: AuthorizerContext,
): WebSocketEvent {
  const context = { ...requestContext(info, stamp, routeKey, 'MESSAGE'), messageId };
  return {
    requestContext: authorizer ? { ...context, authorizer } : context,
    body,
    // Text frames only reach integrations here, so the body is never base64.
    isBase64Encoded: false,
  };
}

/**
 * The `$disconnect` event. AWS puts the close code and reason inside `requestContext` (not at the top level),
 * and sends a fixed, mostly empty header set: the connection's real headers are gone by then.
 */
export function disconnectEvent(
  info: ConnectionInfo,
  stamp: RequestStamp,
  statusCode: number,
  reason: string,
  authorizer?: AuthorizerContext,
): WebSocketEvent {
  const headers = { Host: info.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  const context: WebSocketRequestContext = {
    ...requestContext(info, stamp, '$disconnect', 'DISCONNECT'),
    disconnectStatusCode: statusCode,
    disconnectReason: reason,
  };
  return {
    headers,
    multiValueHeaders,
    requestContext: authorizer ? { ...context, authorizer } : context,
    isBase64Encoded: false,
  };
}
