/**
 * `unsubscribe`: removes the caller from a channel's subscribers (and its presence, announcing the `leave`).
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logger.js';
import { unsubscribeFromChannel } from '../core/channels.js';
import { unsubscribedFrame } from '../core/frames.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, fanOutOptions } from './support/fan-out.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts, type RealtimePorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `unsubscribe` handler needs. */
export interface UnsubscribeDeps extends RespondDeps {
  readonly ports: Pick<RealtimePorts, 'store' | 'presence' | 'messenger' | 'afterRemoval' | 'fanOutQueue'>;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/** Builds the `unsubscribe` handler: replies `{"type":"unsubscribed","channel":…}`, subscribed or not. */
export const makeUnsubscribeHandler =
  (deps: UnsubscribeDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'unsubscribe', deps, async (request) => {
      const { connectionId } = event.requestContext;
      await unsubscribeFromChannel(
        deps.ports,
        { connectionId, channel: request.channel },
        fanOutOptions(deps.logger, context, deps.fanOut),
      );
      return unsubscribedFrame(request.channel, request.id);
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeUnsubscribeHandler({
    ports: productionPorts('unsubscribe'),
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
  }),
);
