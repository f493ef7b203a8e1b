/**
 * The one error type of the client, and its stable codes: the server's codes from `{"type":"error"}` frames
 * as they are, plus the client's own (see README "Error codes").
 *
 * @module
 */
import type { GatewayErrorFrame, RequestId } from './protocol.js';

/** Codes the server sends in `{"type":"error","code":…}` frames. The server may add codes later. */
export type ServerErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_ACTION'
  | 'INVALID_REQUEST'
  | 'INVALID_CHANNEL'
  | 'PAYLOAD_TOO_LARGE'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR';

/** Codes the client produces itself. */
export type ClientErrorCode =
  /** No ack within `requestTimeoutMs`. */
  | 'TIMEOUT'
  /** The socket closed before the ack came, or the request was made while offline with `offlineQueue.maxSize: 0`. */
  | 'DISCONNECTED'
  /** The offline queue already holds `offlineQueue.maxSize` requests. */
  | 'QUEUE_FULL'
  /** `close()` was called. */
  | 'CLOSED'
  /** The frame would be over 32 KB; API Gateway would close the connection (1009). */
  | 'FRAME_TOO_LARGE'
  /** `subscribe` was called for a channel this client is already subscribed to. */
  | 'ALREADY_SUBSCRIBED'
  /** The subscription was ended by `unsubscribe` before its first ack. */
  | 'UNSUBSCRIBED'
  /** A callback of the application threw; the error is its `cause`. */
  | 'LISTENER_ERROR'
  /** The `token` function threw or rejected; the connection attempt is retried with backoff. */
  | 'TOKEN_ERROR'
  /** The `WebSocket` constructor threw; the connection attempt is retried with backoff. */
  | 'SOCKET_ERROR'
  /** API Gateway answered `Internal server error`: an integration failed. */
  | 'GATEWAY_INTERNAL_ERROR'
  /** API Gateway answered `Too many requests`: a throttle limit was hit. */
  | 'GATEWAY_THROTTLED'
  /** API Gateway answered `Forbidden`. */
  | 'GATEWAY_FORBIDDEN'
  /** Any other API Gateway error frame. */
  | 'GATEWAY_ERROR';

/** Every code a {@link RealtimeError} can carry. Unknown server codes are passed through as they are. */
export type RealtimeErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

/** Options of {@link RealtimeError}. */
export interface RealtimeErrorOptions extends ErrorOptions {
  /** The correlation id of the request that failed. */
  readonly requestId?: RequestId;
  /** The frame that carried the error, for server and API Gateway errors. */
  readonly frame?: unknown;
}

/**
 * Every failure the client reports, as a rejected promise or an `error` event.
 *
 * @example
 * try {
 *   await client.publish('lobby', hugeValue);
 * } catch (error) {
 *   if (error instanceof RealtimeError && error.code === 'FRAME_TOO_LARGE') shrink();
 * }
 */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';
  readonly code: RealtimeErrorCode;
  readonly requestId: RequestId | undefined;
  readonly frame: unknown;

  constructor(code: RealtimeErrorCode, message: string, options: RealtimeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.frame = options.frame;
  }
}

/**
 * Codes after which the same request may succeed if sent again: the subscription layer retries these with
 * backoff instead of ending a subscription.
 */
export const isTransient = (code: RealtimeErrorCode): boolean =>
  code === 'TIMEOUT' ||
  code === 'RATE_LIMITED' ||
  code === 'INTERNAL_ERROR' ||
  code === 'GATEWAY_INTERNAL_ERROR' ||
  code === 'GATEWAY_THROTTLED';

const GATEWAY_CODES: Readonly<Record<string, ClientErrorCode>> = {
  'Internal server error': 'GATEWAY_INTERNAL_ERROR',
  'Too many requests': 'GATEWAY_THROTTLED',
  Forbidden: 'GATEWAY_FORBIDDEN',
};

/** Turns an API Gateway error frame into an error with a stable code. */
export const gatewayError = (frame: GatewayErrorFrame): RealtimeError =>
  new RealtimeError(GATEWAY_CODES[frame.message] ?? 'GATEWAY_ERROR', `API Gateway: ${frame.message}`, {
    frame,
  });
