/**
 * `sendmessage`: the broadcast of AWS's classic chat sample. Every open connection, the sender included,
 * receives `data` as the raw frame; the sender gets no ack, only an error frame on bad input.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logger.js';
import { broadcastToEveryone } from '../core/broadcast.js';
import type { FanOutPorts } from '../core/fan-out.js';
import type { ConnectionStore, Messenger } from '../core/ports.js';
import type { QueuePlan } from '../core/queued-fan-out.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { productionQueuePlan } from './support/fan-out-queue.js';
import { type AccessPolicy, AUTH_OFF, accessPolicyFromEnv, authorizeBroadcast } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `sendmessage` handler needs. */
export interface SendMessageDeps extends RespondDeps {
  readonly store: ConnectionStore;
  readonly messenger: Messenger;
  /** Announces the `leave` of a connection the broadcast found gone, where it was present. */
  readonly afterRemoval?: FanOutPorts['afterRemoval'];
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
  /**
   * Whether grants are checked and which channels are public.
   *
   * @default AUTH_OFF - only grants present in the request context are checked
   */
  readonly access?: AccessPolicy;
  /** Where a large broadcast goes; without it every broadcast fans out inline. */
  readonly queue?: QueuePlan;
}

/** Builds the `sendmessage` handler: `{ statusCode: 200 }` with no body on success. */
export const makeSendMessageHandler =
  (deps: SendMessageDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'sendmessage', deps, async (request) => {
      authorizeBroadcast(deps.access ?? AUTH_OFF, event.requestContext, request.id);
      await loggedFanOut(deps.logger, context, deps.fanOut, { route: 'sendmessage' }, (options) =>
        broadcastToEveryone(deps, request.data, options, deps.queue),
      );
      return undefined;
    });

/** The Lambda entry point; a recipient found gone has its `leave` announced (see `support/ports.ts`). */
export const handler = lambdaEntry(
  makeSendMessageHandler({
    access: accessPolicyFromEnv(),
    ...productionPorts('sendmessage'),
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
    queue: productionQueuePlan('sendmessage'),
  }),
);
