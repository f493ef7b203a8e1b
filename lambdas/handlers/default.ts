/**
 * `$default`: whatever no route matched. API Gateway picks the route from `$request.body.action`, so this
 * sees frames that are not JSON, have no `action`, or name an action we do not have, and answers each with
 * its documented error code. It touches no store but the connection's rate limit.
 *
 * @module
 */
import { logger } from '../adapters/logger.js';
import { ProtocolError } from '../core/errors.js';
import { errorFrame, type ReplyFrame } from '../core/frames.js';
import { parseRequest } from '../core/protocol.js';
import type { WebSocketEvent } from './support/events.js';
import { guardMessage } from './support/guard.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionGuard } from './support/production-guard.js';
import type { RespondDeps } from './support/respond.js';
import { type RouteResponse, reply } from './support/route-response.js';

/** What the `$default` handler needs: a logger, and the rate limit that unrouted frames count against too. */
export type DefaultDeps = RespondDeps;

const unroutedReply = (body: string | undefined): ReplyFrame => {
  try {
    const request = parseRequest(body);
    // A valid action reaching $default means its route is not deployed.
    return errorFrame('UNKNOWN_ACTION', `action "${request.action}" is not available`, request.id);
  } catch (error) {
    if (error instanceof ProtocolError) {
      return errorFrame(error.code, error.message, error.requestId);
    }
    throw error;
  }
};

/** Builds the `$default` handler: always a 200 whose body is an error frame. */
export const makeDefaultHandler =
  (deps: DefaultDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> => {
    const refused = await guardMessage(deps.guard, event.requestContext.connectionId, deps.logger);
    if (refused !== undefined) {
      return refused;
    }
    const response = reply(unroutedReply(event.body));
    deps.logger.debug('unrouted message', { connectionId: event.requestContext.connectionId });
    return response;
  };

/** The Lambda entry point. */
export const handler = lambdaEntry(makeDefaultHandler({ logger, guard: productionGuard() }));
