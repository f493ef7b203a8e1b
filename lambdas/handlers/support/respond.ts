/**
 * The shared shape of every message route: parse, run, and map the outcome to a reply.
 *
 * @module
 */
import { ProtocolError, type RequestId } from '../../core/errors.js';
import { errorFrame, type ReplyFrame } from '../../core/frames.js';
import { type Action, parseRequestFor, type RequestFor } from '../../core/protocol.js';
import type { WebSocketEvent } from './events.js';
import { guardMessage, type MessageGuard } from './guard.js';
import { type RouteLogger, type RouteResponse, reply } from './route-response.js';

/** Sent to the client when a dependency failed; details go to the log only. */
export const INTERNAL_ERROR_MESSAGE = 'the request could not be completed; it can be retried';

/** What every message route's deps carry for {@link respond}. */
export interface RespondDeps {
  readonly logger: RouteLogger;
  /** The rate limit checked before anything else; none when absent (unit tests of the route itself). */
  readonly guard?: MessageGuard | undefined;
}

/**
 * Checks the connection's rate limit, then parses the event's body as a request for `action`, runs `run` and
 * replies with the frame it returns (or nothing). A refused message is answered `RATE_LIMITED` before it is
 * even parsed.
 *
 * Never throws: a `ProtocolError` becomes its error frame and anything else (DynamoDB down, a bug) becomes
 * `INTERNAL_ERROR`, because a thrown error would make API Gateway answer its own opaque
 * `{"message": "Internal server error"}`. Both echo the request's `id` when it had a readable one.
 *
 * @example
 * export const handler = async (event) => respond(event, 'ping', deps, async (r) => pongFrame(r.id));
 */
export const respond = async <A extends Action>(
  event: WebSocketEvent,
  action: A,
  deps: RespondDeps,
  run: (request: RequestFor<A>) => Promise<ReplyFrame | undefined>,
): Promise<RouteResponse> => {
  const { logger } = deps;
  const refused = await guardMessage(deps.guard, event.requestContext.connectionId, logger);
  if (refused !== undefined) {
    return refused;
  }
  let requestId: RequestId | undefined;
  try {
    const request = parseRequestFor(event.body, action);
    requestId = request.id;
    return reply(await run(request));
  } catch (error) {
    if (error instanceof ProtocolError) {
      return reply(errorFrame(error.code, error.message, error.requestId ?? requestId));
    }
    logger.error(`${action} failed`, { error: error instanceof Error ? error : String(error) });
    return reply(errorFrame('INTERNAL_ERROR', INTERNAL_ERROR_MESSAGE, requestId));
  }
};
