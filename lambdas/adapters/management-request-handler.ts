/**
 * How the fan-out's Management API client talks HTTP: keep-alive sockets and timeouts that fail a stalled POST
 * instead of letting it eat the fan-out's deadline.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A POST that has not been answered after this long fails with a retryable `TimeoutError`. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** A connection that is not established after this long fails with a retryable `TimeoutError`. */
export const CONNECTION_TIMEOUT_MS = 2_000;

/**
 * A request handler with `maxSockets` keep-alive sockets, as many as one fan-out keeps POSTs in flight, so a
 * fan-out neither queues for a socket nor opens one per POST. Both agents are built because the endpoint is
 * `https:` in AWS and `http:` in the offline runtime.
 *
 * `throwOnRequestTimeout` makes a passed `requestTimeout` fail the request; without it smithy only logs a
 * warning.
 *
 * @example
 * new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 1, requestHandler: managementRequestHandler(32) });
 */
export const managementRequestHandler = (maxSockets: number): NodeHttpHandler => {
  const agentOptions = { keepAlive: true, maxSockets } as const;
  return new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  });
};
