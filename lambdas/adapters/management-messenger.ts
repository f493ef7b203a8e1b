/**
 * `Messenger` on the API Gateway Management API (`PostToConnection`, i.e. `POST @connections/{id}`), translating
 * the SDK's errors into the three outcomes the fan-out understands: gone, retry, or fail.
 *
 * @module
 */
import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { RetryableSendError } from '../core/errors.js';
import type { Messenger, SendOptions } from '../core/ports.js';

const THROTTLING_ERRORS = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
]);
const NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
/** Failures after which the POST may have reached API Gateway (and the client) all the same. */
const MAY_HAVE_LANDED = new Set(['TimeoutError', 'AbortError', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** What a failed `PostToConnection` means for the fan-out. */
export type SendErrorKind = 'gone' | 'retryable' | 'fatal';

/** What an SDK service error, a smithy `TimeoutError` or a socket error may carry. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly requestId?: unknown };
  readonly cause?: unknown;
}

const httpStatusOf = (shape: ErrorShape): number | undefined => {
  const status = typeof shape.$metadata === 'object' ? shape.$metadata?.httpStatusCode : undefined;
  return typeof status === 'number' ? status : undefined;
};

/**
 * The `x-amzn-RequestId` API Gateway gave a failed post (the SDK's `$metadata.requestId`), looked up on the
 * error and then along its `cause`s (a {@link RetryableSendError} wraps the SDK's error); `undefined` when the
 * request got no answer (a timeout, a reset socket). AWS support asks for it when a post fails.
 *
 * @example
 * awsRequestIdOf(new RetryableSendError('abc', { cause: sdkError })); // → 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'
 */
export const awsRequestIdOf = (error: unknown): string | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const shape: ErrorShape = current;
    const requestId = typeof shape.$metadata === 'object' ? shape.$metadata?.requestId : undefined;
    if (typeof requestId === 'string' && requestId !== '') {
      return requestId;
    }
    current = shape.cause;
  }
  return undefined;
};

/**
 * Classifies an error thrown by `PostToConnection`, by the SDK's error `name`, the answer's status
 * (`$metadata.httpStatusCode`) and, for socket errors, their `code`.
 *
 * - `410 GoneException`: the client disconnected without `$disconnect` reaching us yet.
 * - 429 / `LimitExceededException` (the account's `@connections` rate) and other throttling, any 5xx, a
 *   reset socket, a timeout or our own abort at the post's time limit: transient, worth retrying with backoff.
 * - Anything else (403 `ForbiddenException`: missing IAM or wrong stage; 413 `PayloadTooLargeException`):
 *   retrying cannot help.
 */
export const classifySendError = (error: unknown): SendErrorKind => {
  const shape: ErrorShape = typeof error === 'object' && error !== null ? error : {};
  const status = httpStatusOf(shape);
  if (shape.name === 'GoneException' || status === 410) {
    return 'gone';
  }
  if (
    status === 429 ||
    (status !== undefined && status >= 500) ||
    THROTTLING_ERRORS.has(String(shape.name)) ||
    shape.name === 'TimeoutError' ||
    shape.name === 'AbortError' ||
    NETWORK_ERRORS.has(String(shape.code))
  ) {
    return 'retryable';
  }
  return 'fatal';
};

/** Whether a retryable failure may have delivered the frame anyway (a timeout or a reset mid-request). */
export const mayHaveLanded = (error: unknown): boolean => {
  const shape: ErrorShape = typeof error === 'object' && error !== null ? error : {};
  return MAY_HAVE_LANDED.has(String(shape.name)) || MAY_HAVE_LANDED.has(String(shape.code));
};

/** `'gone'` for a 410; throws the rest, retryable ones wrapped in `RetryableSendError`. */
const translate = (connectionId: string, error: unknown): 'gone' => {
  const kind = classifySendError(error);
  if (kind === 'gone') {
    return 'gone';
  }
  if (kind === 'retryable') {
    throw new RetryableSendError(connectionId, { cause: error, mayHaveLanded: mayHaveLanded(error) });
  }
  throw error;
};

/**
 * Posts frames to connections, and closes them. The client is injected: built once per container in production, mocked with
 * `aws-sdk-client-mock` in tests.
 *
 * @example
 * const messenger = new ManagementApiMessenger(managementClient);
 * await messenger.send('L0SM9cOFvHcCIhw=', '{"type":"pong"}'); // → 'sent' | 'gone'
 */
export class ManagementApiMessenger implements Messenger {
  readonly #client: ApiGatewayManagementApiClient;

  constructor(client: ApiGatewayManagementApiClient) {
    this.#client = client;
  }

  /**
   * `timeoutMs` aborts the request (an abort signal on the SDK call) when it has not been answered in time;
   * the client's own request timeout (5 s) stays the backstop.
   *
   * @throws {RetryableSendError} on throttling, 5xx, network errors and timeouts (`mayHaveLanded` set for a
   *   timeout or a reset); anything fatal as it came.
   */
  async send(connectionId: string, frame: string, options: SendOptions = {}): Promise<'sent' | 'gone'> {
    try {
      const { timeoutMs } = options;
      // The SDK takes the frame as a string (sent as its UTF-8 bytes) as readily as a Uint8Array.
      await this.#client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame }),
        timeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(Math.max(1, timeoutMs)) },
      );
      return 'sent';
    } catch (error) {
      return translate(connectionId, error);
    }
  }

  /**
   * `DeleteConnection` (`DELETE @connections/{id}`): API Gateway closes the socket and runs `$disconnect`.
   *
   * @throws {RetryableSendError} on throttling, 5xx and network errors; anything fatal as it came.
   */
  async close(connectionId: string): Promise<'closed' | 'gone'> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      return 'closed';
    } catch (error) {
      return translate(connectionId, error);
    }
  }
}
