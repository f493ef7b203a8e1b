/**
 * The DynamoDB document client and table name, created once per container at module load and reused by
 * every invocation (keep-alive connections survive between invocations).
 *
 * Importing this module requires `TABLE_NAME`; only handlers that use the store import it.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
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

/** Attempts per DynamoDB call, the first included (the SDK's standard retry mode). */
export const DYNAMODB_MAX_ATTEMPTS = 3;
/** A DynamoDB call unanswered after this long fails with a `TimeoutError`, which the SDK retries. */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 1_000;
/** A connection to DynamoDB not established after this long fails, and is retried, the same way. */
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 1_000;

/**
 * How the DynamoDB client retries and times out, stated rather than left to SDK defaults: throttling
 * (`ProvisionedThroughputExceededException`, `ThrottlingException`), 5xx and timeouts are retried by the
 * SDK's standard mode with jittered exponential backoff, at most {@link DYNAMODB_MAX_ATTEMPTS} attempts of at
 * most {@link DYNAMODB_REQUEST_TIMEOUT_MS} each, so a stalled table fails a call in a few seconds, inside the
 * route's 5-second timeout, with an `INTERNAL_ERROR` the client may retry, instead of timing the Lambda out
 * (which API Gateway would answer with its opaque "Internal server error").
 */
export const dynamoDbClientConfig = (): DynamoDBClientConfig => {
  const agentOptions = { keepAlive: true } as const;
  return {
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
  };
};

/**
 * Locally `AWS_ENDPOINT_URL_DYNAMODB` points the same client at the embedded engine.
 * `removeUndefinedValues` lets optional attributes (`sourceIp`, `userAgent`) be omitted instead of failing
 * the marshaller.
 */
export const documentClient: DynamoDBDocumentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient(dynamoDbClientConfig()),
  {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: numberOrWrapped },
  },
);
