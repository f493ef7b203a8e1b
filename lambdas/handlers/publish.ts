/**
 * `publish`: sends `data` to every subscriber of a channel, stamped with the channel's next sequence number
 * and kept in the channel's history.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { readHistorySize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { type PublishPorts, publishToChannel } from '../core/channels.js';
import { publishedFrame } from '../core/frames.js';
import type { QueuePlan } from '../core/queued-fan-out.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { productionQueuePlan } from './support/fan-out-queue.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorize } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `publish` handler needs. */
export interface PublishDeps extends RespondDeps {
  readonly ports: PublishPorts;
  /** Messages each channel keeps (0: none). */
  readonly historySize: number;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
  /** Where large channels go; without it every publish fans out inline. */
  readonly queue?: QueuePlan;
}

/**
 * Builds the `publish` handler. Subscribers receive
 * `{"type":"message","channel","data","from","author","seq","sentAt"}`; the caller gets
 * `{"type":"published","channel","seq","delivered"}` once an inline fan-out is over (with `failed` and
 * `handedOff` when not 0), or at once with `"fanout":"queued"` when the channel went to the queue.
 */
export const makePublishHandler =
  (deps: PublishDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'publish', deps, async (request) => {
      authorize(deps.access ?? AUTH_OFF, event.requestContext, 'publish', request.channel, request.id);
      const { connectionId } = event.requestContext;
      const { channel, data } = request;
      const result = await loggedFanOut(
        deps.logger,
        context,
        deps.fanOut,
        { route: 'publish', channel },
        (options) =>
          publishToChannel(
            deps.ports,
            { connectionId, channel, data },
            deps.historySize,
            options,
            deps.queue,
          ),
      );
      return publishedFrame(channel, result.seq, result.delivered, request.id, {
        failed: result.failed,
        handedOff: result.handedOff,
        ...(result.queued === true ? { fanout: 'queued' } : {}),
      });
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makePublishHandler({
    access: accessPolicyFromEnv(),
    ports: productionPorts('publish'),
    historySize: readHistorySize(),
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
    queue: productionQueuePlan('publish'),
  }),
);
