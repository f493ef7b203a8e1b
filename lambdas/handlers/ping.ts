/**
 * `ping`: the application heartbeat. API Gateway closes connections idle for 10 minutes and does not count
 * WebSocket protocol pings, so clients send this instead. It touches no store but the rate limit.
 *
 * @module
 */
import { logger } from '../adapters/logger.js';
import { pongFrame } from '../core/frames.js';
import type { WebSocketEvent } from './support/events.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `ping` handler needs. */
export interface PingDeps extends RespondDeps {
  readonly logger: RouteLogger;
}

/** Builds the `ping` handler: replies `{"type":"pong"}`, echoing `id`. */
export const makePingHandler =
  (deps: PingDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event, 'ping', deps, async (request) => pongFrame(request.id));

/** The Lambda entry point. */
export const handler = lambdaEntry(makePingHandler({ logger, guard: productionGuard() }));
