/**
 * The DynamoDB document client and table name, created once per container at module load and reused by
 * every invocation (keep-alive connections survive between invocations).
 *
 * Importing this module requires `TABLE_NAME`; only handlers that use the store import it.
 *
 * @module
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../env.js';

/** The table of connections and subscriptions (`TABLE_NAME`). */
export const tableName: string = requireEnv('TABLE_NAME');

/**
 * Locally `AWS_ENDPOINT_URL_DYNAMODB` points the same client at the embedded engine.
 * `removeUndefinedValues` lets optional attributes (`sourceIp`, `userAgent`) be omitted instead of failing
 * the marshaller.
 */
export const documentClient: DynamoDBDocumentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
