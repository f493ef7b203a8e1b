/**
 * One way to build a DynamoDB client for a local engine, so tables, the TTL sweeper and tests agree on it.
 *
 * @module
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../constants.js';

/** The region every local engine is addressed in (DynamoDB Local keys tables by region unless `-sharedDb`). */
export const LOCAL_REGION = 'us-east-1';

/** Dummy credentials: local engines accept any, but the SDK refuses to sign without some. */
export { LOCAL_CREDENTIALS };

/**
 * Builds a client for a local DynamoDB endpoint; the caller must `destroy()` it so the engine can close
 * without waiting for kept-alive sockets.
 */
export function createLocalDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
}
