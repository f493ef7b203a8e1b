/**
 * The Management API client, created once per container at module load.
 *
 * Importing this module requires `CALLBACK_URL`, `AWS_REGION` and the function's credentials in
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (Lambda sets them; so does the offline runtime); only handlers
 * that fan out import it.
 *
 * @module
 */
import { credentialsFromEnv, readFanOutConcurrency, requireEnv } from '../env.js';
import { ManagementApiClient } from '../management-api-client.js';

/** A POST whose socket stays silent this long is abandoned as a retryable `TimeoutError`. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Read once, at load: Lambda's environment credentials last as long as the execution environment (the SDK's
 * `fromEnv` provider is memoized the same way), and a missing one fails the load rather than every recipient of
 * the first fan-out.
 */
const credentials = credentialsFromEnv();

/**
 * Posts to `CALLBACK_URL` (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`, locally
 * `http://127.0.0.1:{port}/{stage}`) with the function's own credentials. It keeps as many sockets open as
 * one fan-out has POSTs in flight. It never retries by itself: the fan-out retries with a deadline taken from
 * the Lambda's remaining time, and counts what it gave up on.
 */
export const managementClient: ManagementApiClient = new ManagementApiClient({
  endpoint: requireEnv('CALLBACK_URL'),
  region: requireEnv('AWS_REGION'),
  credentials: () => credentials,
  maxSockets: readFanOutConcurrency(),
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
});
