/**
 * `$disconnect`: forgets the connection and all its subscriptions.
 *
 * API Gateway delivers `$disconnect` on a best-effort basis and ignores the answer, so failures are logged,
 * never thrown; whatever is left behind expires by TTL or is removed on the next 410 Gone.
 *
 * @module
 */

import { documentClient, tableName } from '../adapters/clients/dynamodb.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-store.js';
import { logger } from '../adapters/logger.js';
import type { ConnectionStore } from '../core/ports.js';
import { unregisterConnection } from '../core/registry.js';
import type { WebSocketEvent } from './support/events.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `$disconnect` handler needs. */
export interface DisconnectDeps {
  readonly store: Pick<ConnectionStore, 'removeConnection'>;
  readonly logger: RouteLogger;
}

/** Builds the `$disconnect` handler; it always answers 200. */
export const makeDisconnectHandler =
  (deps: DisconnectDeps) =>
  async (event: WebSocketEvent): Promise<RouteResponse> => {
    const { connectionId } = event.requestContext;
    try {
      await unregisterConnection(deps.store, connectionId);
    } catch (error) {
      deps.logger.error('disconnect cleanup failed; items will expire by TTL', {
        connectionId,
        error: error instanceof Error ? error : String(error),
      });
    }
    return { statusCode: 200 };
  };

/** The Lambda entry point. */
export const handler = makeDisconnectHandler({
  store: new DynamoDbConnectionStore({ client: documentClient, tableName }),
  logger,
});
