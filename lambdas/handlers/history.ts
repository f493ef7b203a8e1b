/**
 * `history`: a page of a channel's kept messages, oldest first — the newest ones, or those after `since`.
 *
 * @module
 */
import { readHistorySize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { historyFrame } from '../core/frames.js';
import { readHistory } from '../core/history.js';
import type { HistoryStore } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';
import { tableStores } from './support/stores.js';

/** What the `history` handler needs. */
export interface HistoryDeps extends RespondDeps {
  readonly history: HistoryStore;
  /** Messages each channel keeps: the default and largest page. */
  readonly historySize: number;
  readonly logger: RouteLogger;
}

/** Builds the `history` handler: replies `{"type":"history","channel","seq","messages","recovered"?,"more"?}`. */
export const makeHistoryHandler =
  (deps: HistoryDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event, 'history', deps, async (request) => {
      const limit = Math.min(request.limit ?? deps.historySize, deps.historySize);
      const page = await readHistory(
        deps.history,
        request.channel,
        request.since === undefined
          ? { latest: limit }
          : { since: request.since, limit, window: deps.historySize },
      );
      return historyFrame(request.channel, page, request.id);
    });

/** The Lambda entry point. */
export const handler = makeHistoryHandler({
  history: tableStores().history,
  historySize: readHistorySize(),
  logger,
  guard: productionGuard(),
});
