/**
 * `top`: the current top entries of a board, on demand.
 *
 * @module
 */
import { readLeaderboardSize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { leaderboardFrame } from '../core/frames.js';
import { readLeaderboard } from '../core/leaderboard.js';
import type { LeaderboardStore } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';
import { tableStores } from './support/stores.js';

/** What the `top` handler needs. */
export interface TopDeps extends RespondDeps {
  readonly leaderboard: LeaderboardStore;
  /** Entries when the request gives no `limit`. */
  readonly leaderboardSize: number;
  readonly logger: RouteLogger;
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
}

/** Builds the `top` handler: replies `{"type":"leaderboard","board","version","top"}`. */
export const makeTopHandler =
  (deps: TopDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event, 'top', deps, async (request) => {
      // Reading a board is reading its channel's kept state: the `history` grant.
      authorize(deps.access ?? AUTH_OFF, event.requestContext, 'history', request.board, request.id);
      const snapshot = await readLeaderboard(
        deps.leaderboard,
        request.board,
        request.limit ?? deps.leaderboardSize,
      );
      return leaderboardFrame(snapshot.board, snapshot.version, snapshot.top, request.id);
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeTopHandler({
    access: accessPolicyFromEnv(),
    leaderboard: tableStores().leaderboard,
    leaderboardSize: readLeaderboardSize(),
    logger,
    guard: productionGuard(),
  }),
);
