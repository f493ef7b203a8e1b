/**
 * The API Gateway Management API client, created once per container at module load.
 *
 * Importing this module requires `CALLBACK_URL`; only handlers that fan out import it.
 *
 * @module
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { requireEnv } from '../env.js';

/**
 * Posts to `CALLBACK_URL` (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`, locally
 * `http://127.0.0.1:{port}/{stage}`); the SDK appends `/@connections/{id}`.
 *
 * `maxAttempts: 1` turns the SDK's own retries off: the fan-out retries with a deadline taken from the
 * Lambda's remaining time, and counts what it gave up on. The request timeout keeps one stalled POST from
 * eating that deadline; it surfaces as a retryable `TimeoutError`.
 */
export const managementClient: ApiGatewayManagementApiClient = new ApiGatewayManagementApiClient({
  endpoint: requireEnv('CALLBACK_URL'),
  maxAttempts: 1,
  // Without throwOnRequestTimeout, smithy only logs a warning when requestTimeout passes.
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
});
