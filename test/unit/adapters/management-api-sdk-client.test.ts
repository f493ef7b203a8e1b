/**
 * The fan-out's Management API client as built at module load, against a local HTTP server standing in for the
 * stage's `@connections` API: what goes on the wire, that the SDK's own retries are off, that sockets are kept
 * alive, and that the errors the real SDK deserializes are classified as the messenger expects.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagementApiMessenger } from '../../../lambdas/adapters/management-messenger.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';

/** One request the server received. */
interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Which TCP connection it came on (1 for the first connection the server accepted). */
  readonly socket: number;
}

/** How the server answers the next requests: a status and, for errors, the `x-amzn-ErrorType`. */
type Answer = { readonly status: number; readonly errorType?: string };

let server: Server;
let received: Received[] = [];
let answer: Answer = { status: 200 };
let client: ApiGatewayManagementApiClient;
let messenger: ManagementApiMessenger;

beforeAll(async () => {
  let sockets = 0;
  const socketIds = new WeakMap<object, number>();
  server = createServer((req, res) => {
    let socket = socketIds.get(req.socket);
    if (socket === undefined) {
      sockets += 1;
      socket = sockets;
      socketIds.set(req.socket, socket);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: socket,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.errorType !== undefined) headers['x-amzn-errortype'] = answer.errorType;
      const body = answer.errorType === undefined ? '{}' : JSON.stringify({ message: answer.errorType });
      res.writeHead(answer.status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  vi.stubEnv('CALLBACK_URL', `http://127.0.0.1:${port}/prod`);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('FANOUT_CONCURRENCY', '7');
  ({ managementClient: client } = await import('../../../lambdas/adapters/clients/management-api.js'));
  messenger = new ManagementApiMessenger(client);
});

afterAll(async () => {
  client?.destroy();
  vi.unstubAllEnvs();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  received = [];
  answer = { status: 200 };
});

describe('the fan-out Management API client', () => {
  it('posts the frame to {CALLBACK_URL}/@connections/{id}, signed for execute-api in AWS_REGION', async () => {
    await expect(messenger.send('L0SM9cOFvHcCIhw=', '{"type":"pong"}')).resolves.toBe('sent');

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/prod/@connections/L0SM9cOFvHcCIhw%3D');
    expect(request?.body).toBe('{"type":"pong"}');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
    );
  });

  it('sends a 5xx once (the SDK does not retry) and leaves the retry to the fan-out', async () => {
    answer = { status: 500, errorType: 'InternalServerErrorException' };

    const failure = await messenger.send('abc=', 'x').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect(received).toHaveLength(1);
  });

  it('sends a throttled POST once and leaves the retry to the fan-out', async () => {
    answer = { status: 429, errorType: 'LimitExceededException' };

    await expect(messenger.send('abc=', 'x')).rejects.toBeInstanceOf(RetryableSendError);
    expect(received).toHaveLength(1);
  });

  it("turns the service's 410 GoneException into 'gone'", async () => {
    answer = { status: 410, errorType: 'GoneException' };

    await expect(messenger.send('abc=', 'x')).resolves.toBe('gone');
  });

  it.each([
    [403, 'ForbiddenException'],
    [413, 'PayloadTooLargeException'],
  ])('rethrows a %i %s as the SDK named it, without retrying', async (status, errorType) => {
    answer = { status, errorType };

    const failure = await messenger.send('abc=', 'x').catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: errorType, $metadata: { httpStatusCode: status } });
    expect(received).toHaveLength(1);
  });

  it('keeps its socket alive between POSTs', async () => {
    await messenger.send('a', 'x');
    await messenger.send('b', 'x');

    expect(received).toHaveLength(2);
    expect(received[1]?.socket).toBe(received[0]?.socket);
    expect(received[0]?.headers.connection).toBe('keep-alive');
  });

  it('keeps as many sockets as FANOUT_CONCURRENCY allows POSTs in flight, and times requests out', async () => {
    await messenger.send('a', 'x');

    const handler = client.config.requestHandler as NodeHttpHandler;
    const configs = handler.httpHandlerConfigs();
    expect(configs).toMatchObject({ requestTimeout: 5_000, throwOnRequestTimeout: true });
    expect(configs.httpAgent).toMatchObject({ keepAlive: true, maxSockets: 7 });
    expect(configs.httpsAgent).toMatchObject({ keepAlive: true, maxSockets: 7 });
    await expect(client.config.maxAttempts()).resolves.toBe(1);
  });
});
