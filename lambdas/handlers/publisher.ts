/**
 * The publisher: server-side publish without a socket. Invoked directly with the Lambda API (not a route:
 * `api.grantPublish(role)` lets a backend invoke it, `npm run publish` does from a terminal), it takes
 * `{ "channel", "data" }` (a publish exactly like a client's: next `seq`, history, fan-out, author `server`)
 * or `{ "user", "data" }` (a `direct` frame to every open connection of the user).
 *
 * Bad input is answered, not thrown: `{ "error": <code>, "message" }`. A failing dependency (DynamoDB) is
 * thrown, so the caller sees a function error and may retry.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { readHistorySize } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { type PublishPorts, publishToChannel } from '../core/channels.js';
import { type DirectPorts, SERVER_SENDER, sendToUser } from '../core/direct.js';
import { ProtocolError } from '../core/errors.js';
import type { FanOutResult } from '../core/fan-out.js';
import type { QueuePlan } from '../core/queued-fan-out.js';
import {
  parseServerPublication,
  type ServerPublishError,
  type ServerPublishResult,
} from '../core/server-publish.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { productionQueuePlan } from './support/fan-out-queue.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import type { RouteLogger } from './support/route-response.js';

/** What the publisher needs. */
export interface PublisherDeps {
  readonly ports: PublishPorts & DirectPorts;
  /** Messages each channel keeps (0: none). */
  readonly historySize: number;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
  /** Where large channels go; without it every publish fans out inline. */
  readonly queue?: QueuePlan;
}

/** The author subscribers see on a message the publisher sent. */
const SERVER_AUTHOR = { clientId: SERVER_SENDER };

/**
 * Builds the publisher handler.
 *
 * @example
 * await handler({ channel: 'lobby', data: { hello: 'world' } }, context); // → { seq: 8, delivered: 2, gone: 0, failed: 0 }
 * await handler({ user: 'alice', data: 'hi' }, context);                    // → { delivered: 1, gone: 0, failed: 0 }
 */
export const makePublisherHandler =
  (deps: PublisherDeps) =>
  async (
    event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<ServerPublishResult | ServerPublishError> => {
    try {
      const publication = parseServerPublication(event);
      if ('channel' in publication) {
        const { channel, data } = publication;
        const result = await loggedFanOut(
          deps.logger,
          context,
          deps.fanOut,
          { route: 'publisher', channel },
          (options) =>
            publishToChannel(
              deps.ports,
              { connectionId: SERVER_SENDER, channel, data, author: SERVER_AUTHOR },
              deps.historySize,
              options,
              deps.queue,
            ),
        );
        return { seq: result.seq, ...outcomeOf(result) };
      }
      const { user, data } = publication;
      const result = await loggedFanOut(
        deps.logger,
        context,
        deps.fanOut,
        { route: 'publisher', user },
        (options) => sendToUser(deps.ports, { sender: { from: SERVER_SENDER }, user, data }, options),
      );
      return outcomeOf(result);
    } catch (error) {
      if (error instanceof ProtocolError) {
        deps.logger.warn('publisher refused its input', { code: error.code, message: error.message });
        return { error: error.code, message: error.message };
      }
      throw error;
    }
  };

/** What the caller learns of a fan-out: its counts, what the deadline handed on, and whether it was queued. */
const outcomeOf = (
  result: FanOutResult & { readonly queued?: boolean },
): Omit<ServerPublishResult, 'seq'> => ({
  delivered: result.delivered,
  gone: result.gone,
  failed: result.failed,
  ...(result.handedOff > 0 ? { handedOff: result.handedOff } : {}),
  ...(result.queued === true ? { fanout: 'queued' as const } : {}),
});

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makePublisherHandler({
    ports: productionPorts('publisher'),
    historySize: readHistorySize(),
    logger,
    fanOut: defaultFanOutSettings(),
    queue: productionQueuePlan('publisher'),
  }),
);
