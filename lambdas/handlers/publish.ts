/**
 * `publish`: sends `data` to every subscriber of a channel, stamped with the channel's next sequence number.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { documentClient, tableName } from '../adapters/clients/dynamodb.js';
import { managementClient } from '../adapters/clients/management-api.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-store.js';
import { logger } from '../adapters/logger.js';
import { ManagementApiMessenger } from '../adapters/management-messenger.js';
import { publishToChannel } from '../core/channels.js';
import { publishedFrame } from '../core/frames.js';
import type { ConnectionStore, Messenger } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `publish` handler needs. */
export interface PublishDeps {
  readonly store: ConnectionStore;
  readonly messenger: Messenger;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/**
 * Builds the `publish` handler. Subscribers receive
 * `{"type":"message","channel","data","from","seq","sentAt"}`; the caller gets
 * `{"type":"published","channel","seq","delivered"}` once the fan-out is over.
 */
export const makePublishHandler =
  (deps: PublishDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event.body, 'publish', deps.logger, async (request) => {
      const { connectionId } = event.requestContext;
      const { channel, data } = request;
      const result = await loggedFanOut(
        deps.logger,
        context,
        deps.fanOut,
        { route: 'publish', channel },
        (options) => publishToChannel(deps, { connectionId, channel, data }, options),
      );
      return publishedFrame(channel, result.seq, result.delivered, request.id);
    });

/** The Lambda entry point. */
export const handler = makePublishHandler({
  store: new DynamoDbConnectionStore({ client: documentClient, tableName }),
  messenger: new ManagementApiMessenger(managementClient),
  logger,
  fanOut: defaultFanOutSettings(),
});
