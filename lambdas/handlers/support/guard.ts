/**
 * The check every message route runs first: the connection's rate limit, and closing a connection that
 * keeps exceeding it. It runs before the frame is even parsed, so garbage costs the sender as much of its
 * budget as a valid request.
 *
 * @module
 */

import { rateLimitedFrame } from '../../core/frames.js';
import type { Messenger } from '../../core/ports.js';
import { type RateLimit, type RateLimiter, shouldClose } from '../../core/rate-limit.js';
import { type RouteLogger, type RouteResponse, reply } from './route-response.js';

/** What the check needs: the limiter, a way to close a connection, the limit and a clock. */
export interface MessageGuard {
  readonly limiter: RateLimiter;
  readonly closer: Pick<Messenger, 'close'>;
  readonly limit: RateLimit;
  /** @default Date.now in production */
  readonly now: () => number;
}

/**
 * Admits one message of `connectionId`, or answers `RATE_LIMITED` with `retryAfterMs`; after
 * `limit.closeAfter` refusals it also closes the connection (`DeleteConnection`), so an abuser stops
 * spending the stage's shared throttle budget. Resolves `undefined` when the message may go on.
 *
 * A limiter that fails (DynamoDB throttled or down) admits the message: the stage throttle still bounds
 * everyone, and a route that needs the table will fail on its own with `INTERNAL_ERROR`.
 *
 * @example
 * const refused = await guardMessage(deps.guard, event.requestContext.connectionId, deps.logger);
 * if (refused) return refused;
 */
export const guardMessage = async (
  guard: MessageGuard | undefined,
  connectionId: string,
  logger: RouteLogger,
): Promise<RouteResponse | undefined> => {
  if (guard === undefined) {
    return undefined;
  }
  let admission: Awaited<ReturnType<RateLimiter['admit']>>;
  try {
    admission = await guard.limiter.admit(connectionId, guard.now());
  } catch (error) {
    logger.warn('rate limiter failed; message admitted', {
      connectionId,
      error: error instanceof Error ? error : String(error),
    });
    return undefined;
  }
  if (admission.allowed) {
    return undefined;
  }
  if (shouldClose(admission, guard.limit)) {
    logger.warn('closing a connection that keeps exceeding its rate limit', {
      connectionId,
      refusals: admission.refusals,
    });
    try {
      await guard.closer.close(connectionId);
    } catch (error) {
      // The next refusal tries again.
      logger.error('closing an abusive connection failed', {
        connectionId,
        error: error instanceof Error ? error : String(error),
      });
    }
  }
  return reply(rateLimitedFrame(admission.retryAfterMs));
};
