/**
 * `score`: adds points to a player on a board atomically and pushes the new top N to the board's viewers.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { readLeaderboardSize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { scoredFrame } from '../core/frames.js';
import { submitScore } from '../core/leaderboard.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts, type RealtimePorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `score` handler needs. */
export interface ScoreDeps extends RespondDeps {
  readonly ports: Pick<RealtimePorts, 'store' | 'leaderboard' | 'messenger' | 'afterRemoval' | 'fanOutQueue'>;
  /** Entries in each pushed snapshot. */
  readonly leaderboardSize: number;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
}

/**
 * Builds the `score` handler: replies `{"type":"scored","board","player","score","version"}`; every viewer
 * of the board receives `{"type":"leaderboard","board","version","top":[{"rank","player","score"}…]}`.
 */
export const makeScoreHandler =
  (deps: ScoreDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'score', deps, async (request) => {
      authorize(deps.access ?? AUTH_OFF, event.requestContext, 'score', request.board, request.id);
      const { board, player, points } = request;
      const result = await loggedFanOut(
        deps.logger,
        context,
        deps.fanOut,
        { route: 'score', board },
        (options) => submitScore(deps.ports, { board, player, points }, deps.leaderboardSize, options),
      );
      return scoredFrame(board, player, result.score, result.version, request.id);
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeScoreHandler({
    access: accessPolicyFromEnv(),
    ports: productionPorts('score'),
    leaderboardSize: readLeaderboardSize(),
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
  }),
);
