/**
 * The DynamoDB document client as built at module load, against a local HTTP server standing in for
 * DynamoDB: throttling and timeouts are retried with backoff, a bounded number of times.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** How the server answers each request, in turn; the last answer repeats. */
type Answer = { readonly status: number; readonly errorType?: string } | 'stall';

let server: Server;
let answers: Answer[] = [];
let requests = 0;
let client: DynamoDBDocumentClient;
let maxAttempts: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer === undefined || answer === 'stall') return; // never answers: the client must time out
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
      if (answer.errorType !== undefined) headers['x-amzn-errortype'] = answer.errorType;
      const body =
        answer.errorType === undefined
          ? '{}'
          : JSON.stringify({
              __type: `com.amazonaws.dynamodb.v20120810#${answer.errorType}`,
              message: 'slow down',
            });
      res.writeHead(answer.status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vi.stubEnv('TABLE_NAME', 'realtime-test');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `http://127.0.0.1:${port}`);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  const module = await import('../../../lambdas/adapters/clients/dynamodb.js');
  client = module.documentClient;
  maxAttempts = module.DYNAMODB_MAX_ATTEMPTS;
});

afterAll(async () => {
  client?.destroy();
  vi.unstubAllEnvs();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

const put = () => client.send(new PutCommand({ TableName: 'realtime-test', Item: { pk: 'a', sk: 'b' } }));

describe('the DynamoDB document client', () => {
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])(
    'retries %s and succeeds when the table recovers',
    async (errorType) => {
      answers = [{ status: 400, errorType }, { status: 200 }];

      await expect(put()).resolves.toBeDefined();
      expect(requests).toBe(2);
    },
  );

  it('gives up after a bounded number of attempts, with the throttling error', async () => {
    answers = [{ status: 400, errorType: 'ProvisionedThroughputExceededException' }];

    await expect(put()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(requests).toBe(maxAttempts);
  }, 15_000);

  it('times out a stalled call and retries it', async () => {
    answers = ['stall', { status: 200 }];

    const started = Date.now();
    await expect(put()).resolves.toBeDefined();
    expect(requests).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);
});
