/**
 * The messenger's per-post timeout, against a local HTTP server that never answers: the abort signal must end
 * the POST at `timeoutMs`, long before the client's own 5 s request timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementApiMessenger, mayHaveLanded } from '../../../lambdas/adapters/management-messenger.js';
import { managementRequestHandler } from '../../../lambdas/adapters/management-request-handler.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';

let server: Server;
let endpoint: string;

beforeAll(async () => {
  // Reads the request and never answers.
  server = createServer((request) => request.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('ManagementApiMessenger timeoutMs', () => {
  it('aborts a post unanswered after timeoutMs as a retryable failure that may have landed', async () => {
    // Prepare
    const client = new ApiGatewayManagementApiClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      requestHandler: managementRequestHandler(2),
    });
    const started = Date.now();

    // Act
    const failure = await new ManagementApiMessenger(client)
      .send('abc=', 'x', { timeoutMs: 100 })
      .catch((error: unknown) => error);

    // Assess
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).mayHaveLanded).toBe(true);
    client.destroy();
  });

  it('does not take a refused connection or a 429 for a post that may have landed', () => {
    expect(mayHaveLanded(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(mayHaveLanded({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } })).toBe(false);
    expect(mayHaveLanded({ name: 'TimeoutError' })).toBe(true);
  });
});
