/**
 * Typed domain errors. Adapters translate SDK errors into these at the edge, handlers translate these into
 * replies, and nothing in between needs to know about AWS.
 *
 * @module
 */

/** Stable error codes sent to clients in `{"type":"error","code":…}` frames (see README "Errors"). */
export type ErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_ACTION'
  | 'INVALID_REQUEST'
  | 'INVALID_CHANNEL'
  | 'PAYLOAD_TOO_LARGE'
  /** Over the connection's rate limit; the frame carries `retryAfterMs`. */
  | 'RATE_LIMITED'
  /** Over a per-connection cap (e.g. subscriptions). */
  | 'LIMIT_EXCEEDED'
  | 'FORBIDDEN'
  | 'INTERNAL_ERROR';

/** The value of a request's optional `id`, echoed in its ack or error. */
export type RequestId = string | number;

/** Options for {@link ProtocolError}: the usual `cause`, plus the request id to echo when it was readable. */
export interface ProtocolErrorOptions extends ErrorOptions {
  readonly requestId?: RequestId;
}

/**
 * The client sent something we cannot act on. It is answered with an error frame and the connection stays
 * open; it is never a server fault.
 *
 * @example
 * throw new ProtocolError('INVALID_CHANNEL', 'channel must not be empty', { requestId: 7 });
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: Exclude<ErrorCode, 'INTERNAL_ERROR'>;
  readonly requestId: RequestId | undefined;

  constructor(
    code: Exclude<ErrorCode, 'INTERNAL_ERROR'>,
    message: string,
    options: ProtocolErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
  }
}

/**
 * A send failed in a way that may succeed later (throttling, a 5xx, a dropped socket). The fan-out retries
 * it with backoff while the Lambda has time left; any other error counts as a failed recipient at once.
 */
export class RetryableSendError extends Error {
  override readonly name = 'RetryableSendError';
  readonly code = 'RETRYABLE_SEND';
  readonly connectionId: string;
  /**
   * `true` when the post may have reached the connection anyway (a timeout or a socket reset after the request
   * was written): retrying it may deliver the frame twice, which only a frame with a `seq` makes harmless.
   */
  readonly mayHaveLanded: boolean;

  constructor(connectionId: string, options?: ErrorOptions & { readonly mayHaveLanded?: boolean }) {
    super(`sending to connection ${connectionId} failed and may be retried`, options);
    this.connectionId = connectionId;
    this.mayHaveLanded = options?.mayHaveLanded ?? false;
  }
}
