/**
 * `presence`: who is present in a channel (the connections that subscribed with `"presence": true`).
 *
 * @module
 */
import { logger } from '../adapters/logger.js';
import { assertFrameFits, encodeFrame, presenceFrame } from '../core/frames.js';
import type { PresenceStore } from '../core/ports.js';
import { listMembers } from '../core/presence.js';
import type { WebSocketEvent } from './support/events.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';
import { tableStores } from './support/stores.js';

/** What the `presence` handler needs. */
export interface PresenceDeps extends RespondDeps {
  readonly presence: PresenceStore;
  readonly logger: RouteLogger;
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
}

/** Builds the `presence` handler: replies `{"type":"presence","channel","members":[{clientId,name?,connectionId}]}`. */
export const makePresenceHandler =
  (deps: PresenceDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event, 'presence', deps, async (request) => {
      authorize(deps.access ?? AUTH_OFF, event.requestContext, 'presence', request.channel, request.id);
      const frame = presenceFrame(
        request.channel,
        await listMembers(deps.presence, request.channel),
        request.id,
      );
      assertFrameFits(encodeFrame(frame), 'the member list');
      return frame;
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makePresenceHandler({
    access: accessPolicyFromEnv(),
    presence: tableStores().presence,
    logger,
    guard: productionGuard(),
  }),
);
