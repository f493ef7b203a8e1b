/**
 * The DynamoDB document client and table name, created once per container at module load and reused by
 * every invocation (keep-alive connections survive between invocations).
 *
 * Importing this module requires `TABLE_NAME`; only handlers that use the store import it.
 *
 * @module
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../env.js';

/** The table of connections and subscriptions (`TABLE_NAME`). */
export const tableName: string = requireEnv('TABLE_NAME');

/**
 * A DynamoDB number as a JavaScript number when it fits one exactly, else as a `NumberValue` (the 26-digit
 * leaderboard rank keys that an update returns), instead of the SDK's error for unsafe numbers.
 */
export const numberOrWrapped = (value: string): number | NumberValue => {
  const number = Number(value);
  return Math.abs(number) <= Number.MAX_SAFE_INTEGER ? number : NumberValue.from(value);
};

/**
 * Locally `AWS_ENDPOINT_URL_DYNAMODB` points the same client at the embedded engine.
 * `removeUndefinedValues` lets optional attributes (`sourceIp`, `userAgent`) be omitted instead of failing
 * the marshaller.
 */
export const documentClient: DynamoDBDocumentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
  unmarshallOptions: { wrapNumbers: numberOrWrapped },
});
