/**
 * `unsubscribe`: removes the caller from a channel's subscribers.
 *
 * @module
 */

import { documentClient, tableName } from '../adapters/clients/dynamodb.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-store.js';
import { logger } from '../adapters/logger.js';
import { unsubscribeFromChannel } from '../core/channels.js';
import { unsubscribedFrame } from '../core/frames.js';
import type { ConnectionStore } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `unsubscribe` handler needs. */
export interface UnsubscribeDeps {
  readonly store: Pick<ConnectionStore, 'unsubscribe'>;
  readonly logger: RouteLogger;
}

/** Builds the `unsubscribe` handler: replies `{"type":"unsubscribed","channel":…}`, subscribed or not. */
export const makeUnsubscribeHandler =
  (deps: UnsubscribeDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> =>
    respond(event.body, 'unsubscribe', deps.logger, async (request) => {
      const { connectionId } = event.requestContext;
      await unsubscribeFromChannel(deps.store, { connectionId, channel: request.channel });
      return unsubscribedFrame(request.channel, request.id);
    });

/** The Lambda entry point. */
export const handler = makeUnsubscribeHandler({
  store: new DynamoDbConnectionStore({ client: documentClient, tableName }),
  logger,
});
