/**
 * `subscribe`: adds the caller to a channel's subscribers.
 *
 * @module
 */

import { documentClient, tableName } from '../adapters/clients/dynamodb.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-store.js';
import { logger } from '../adapters/logger.js';
import { subscribeToChannel } from '../core/channels.js';
import { subscribedFrame } from '../core/frames.js';
import type { ConnectionStore } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `subscribe` handler needs. */
export interface SubscribeDeps {
  readonly store: Pick<ConnectionStore, 'subscribe'>;
  readonly logger: RouteLogger;
  readonly now: () => number;
}

/** Builds the `subscribe` handler: replies `{"type":"subscribed","channel":…}`. */
export const makeSubscribeHandler =
  (deps: SubscribeDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event.body, 'subscribe', deps.logger, async (request) => {
      const { connectionId, connectedAt } = event.requestContext;
      await subscribeToChannel(
        deps.store,
        { connectionId, channel: request.channel, connectedAt },
        deps.now(),
      );
      return subscribedFrame(request.channel, request.id);
    });

/** The Lambda entry point. */
export const handler = makeSubscribeHandler({
  store: new DynamoDbConnectionStore({ client: documentClient, tableName }),
  logger,
  now: () => Date.now(),
});
