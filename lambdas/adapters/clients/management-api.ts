/**
 * The API Gateway Management API client, created once per container at module load and reused by every
 * invocation (its kept-alive sockets survive between invocations).
 *
 * Importing this module requires `CALLBACK_URL` and `AWS_REGION` (the stack sets the first, Lambda the second;
 * so does the offline runtime); only handlers that fan out import it.
 *
 * @module
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { readFanOutConcurrency, requireEnv } from '../env.js';
import { managementRequestHandler } from '../management-request-handler.js';

/**
 * Posts to `CALLBACK_URL` (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`, locally
 * `http://127.0.0.1:{port}/{stage}`); the SDK appends `/@connections/{id}` and signs with the function's own
 * credentials, which it reads from the environment Lambda sets.
 *
 * `maxAttempts: 1` turns the SDK's own retries off: the fan-out retries with its own backoff and a deadline
 * taken from the Lambda's remaining time, and counts what it gave up on. SDK retries underneath would multiply
 * its attempts and eat that deadline.
 */
export const managementClient: ApiGatewayManagementApiClient = new ApiGatewayManagementApiClient({
  endpoint: requireEnv('CALLBACK_URL'),
  region: requireEnv('AWS_REGION'),
  maxAttempts: 1,
  requestHandler: managementRequestHandler(readFanOutConcurrency()),
});
