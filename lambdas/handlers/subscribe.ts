/**
 * `subscribe`: adds the caller to a channel's subscribers, and answers with what it asked for: the kept
 * history (`history`), the messages it missed (`since`), the board's snapshot, and presence (`presence`).
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { readHistorySize, readLeaderboardSize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { type ChannelLimits, type SubscribePorts, subscribeToChannel } from '../core/channels.js';
import { subscribedFrame } from '../core/frames.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, fanOutOptions } from './support/fan-out.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `subscribe` handler needs. */
export interface SubscribeDeps extends RespondDeps {
  readonly ports: SubscribePorts;
  readonly limits: ChannelLimits;
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
 * Builds the `subscribe` handler: replies
 * `{"type":"subscribed","channel","seq","messages"?,"recovered"?,"more"?,"leaderboard"?}`.
 */
export const makeSubscribeHandler =
  (deps: SubscribeDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'subscribe', deps, async (request) => {
      const access = deps.access ?? AUTH_OFF;
      authorize(access, event.requestContext, 'subscribe', request.channel, request.id);
      if (request.presence === true) {
        authorize(access, event.requestContext, 'presence', request.channel, request.id);
      }
      const { connectionId, connectedAt } = event.requestContext;
      const { channel, history, since, presence } = request;
      const result = await subscribeToChannel(
        deps.ports,
        { connectionId, channel, connectedAt, history, since, presence },
        deps.limits,
        deps.fanOut.now(),
        fanOutOptions(deps.logger, context, deps.fanOut),
      );
      return subscribedFrame(channel, result.seq, result, request.id);
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeSubscribeHandler({
    access: accessPolicyFromEnv(),
    ports: productionPorts('subscribe'),
    limits: { historySize: readHistorySize(), leaderboardSize: readLeaderboardSize() },
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
  }),
);
