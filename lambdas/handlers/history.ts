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
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
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
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
}

/** Builds the `history` handler: replies `{"type":"history","channel","seq","messages","recovered"?,"more"?}`. */
export const makeHistoryHandler =
  (deps: HistoryDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event, 'history', deps, async (request) => {
      authorize(deps.access ?? AUTH_OFF, event.requestContext, 'history', request.channel, request.id);
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
export const handler = lambdaEntry(
  makeHistoryHandler({
    access: accessPolicyFromEnv(),
    history: tableStores().history,
    historySize: readHistorySize(),
    logger,
    guard: productionGuard(),
  }),
);
