/**
 * The production {@link MessageGuard}: the limiter on the table and the messenger on the Management API,
 * built once per container from the shared clients, with the limit the stack set in the environment.
 *
 * @module
 */
import { documentClient, tableName } from '../../adapters/clients/dynamodb.js';
import { managementClient } from '../../adapters/clients/management-api.js';
import { DynamoDbRateLimiter } from '../../adapters/dynamodb-rate-limiter.js';
import { readRateLimit } from '../../adapters/env.js';
import { ManagementApiMessenger } from '../../adapters/management-messenger.js';
import type { MessageGuard } from './guard.js';

/** The guard of one container, or `undefined` when the environment sets no rate limit. */
export const productionGuard = (): MessageGuard | undefined => {
  const limit = readRateLimit();
  if (limit === undefined) {
    return undefined;
  }
  return {
    limiter: new DynamoDbRateLimiter({ client: documentClient, tableName, limit }),
    closer: new ManagementApiMessenger(managementClient),
    limit,
    now: () => Date.now(),
  };
};
