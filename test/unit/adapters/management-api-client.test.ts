import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AwsCredentials,
  ManagementApiClient,
  type ManagementApiClientOptions,
  ManagementApiError,
  RequestTimeoutError,
} from '../../../lambdas/adapters/management-api-client.js';

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Reply = (res: ServerResponse) => void;

interface FakeApi {
  readonly server: Server;
  readonly endpoint: string;
  readonly received: Received[];
  sockets: number;
}

const servers: Server[] = [];
const clients: ManagementApiClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** An HTTP server on 127.0.0.1 that records each request and answers with `reply` (200 and no body by default). */
async function fakeApi(reply: Reply = (res) => res.writeHead(200).end()): Promise<FakeApi> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      reply(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: FakeApi = { server, endpoint: `http://127.0.0.1:${port}/prod`, received, sockets: 0 };
  server.on('connection', () => {
    api.sockets += 1;
  });
  return api;
}

function clientFor(
  endpoint: string,
  overrides: Partial<Omit<ManagementApiClientOptions, 'endpoint'>> = {},
): ManagementApiClient {
  const client = new ManagementApiClient({
    endpoint,
    region: 'eu-west-1',
    credentials: () => CREDENTIALS,
    maxSockets: 4,
    requestTimeoutMs: 2_000,
    ...overrides,
  });
  clients.push(client);
  return client;
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the post to fail');
    },
    (error: unknown) => error,
  );

describe('ManagementApiClient.postToConnection', () => {
  it('POSTs the data to <stage>/@connections/<id> as the SDK does', async () => {
    const api = await fakeApi();

    await clientFor(api.endpoint).postToConnection('L0SM9cOFvHcCIhw=', '{"type":"pong"}');

    expect(api.received).toHaveLength(1);
    const [request] = api.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/prod/@connections/L0SM9cOFvHcCIhw%3D');
    expect(request?.body).toBe('{"type":"pong"}');
    expect(request?.headers['content-type']).toBe('application/octet-stream');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength('{"type":"pong"}')));
    expect(request?.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
  });

  it('sends UTF-8 data with its byte length', async () => {
    const api = await fakeApi();
    const data = JSON.stringify({ text: 'héllo wörld ✓ 🎉' });

    await clientFor(api.endpoint).postToConnection('abc=', data);

    expect(api.received[0]?.body).toBe(data);
    expect(api.received[0]?.headers['content-length']).toBe(String(Buffer.byteLength(data)));
  });

  it.each([
    ['base64 with + and /', 'ab+c/d=='],
    ['characters that need escaping', 'a b?c#d&e'],
  ])('carries a connection id with %s to the server intact', async (_, connectionId) => {
    const api = await fakeApi();

    await clientFor(api.endpoint).postToConnection(connectionId, 'x');

    const path = api.received[0]?.url ?? '';
    expect(path.startsWith('/prod/@connections/')).toBe(true);
    expect(decodeURIComponent(path.slice('/prod/@connections/'.length))).toBe(connectionId);
  });

  it('signs with SigV4 exactly as the AWS SDK signer does for the same request', async () => {
    const api = await fakeApi();
    const connectionId = 'ab+c/d==';

    await clientFor(api.endpoint).postToConnection(connectionId, '{"n":1}');

    const [request] = api.received;
    if (request === undefined) throw new Error('no request received');
    const amzDate = String(request.headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
    );
    const sdkSigner = new SignatureV4({
      service: 'execute-api',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      sha256: Hash.bind(null, 'sha256'),
      // The SDK also signs an x-amz-content-sha256 header; API Gateway needs only the signed-headers list.
      applyChecksum: false,
    });
    const [hostname, port] = String(request.headers.host).split(':');
    const expected = await sdkSigner.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: hostname ?? '',
        port: Number(port),
        path: request.url,
        query: {},
        headers: {
          host: String(request.headers.host),
          'content-type': String(request.headers['content-type']),
          'content-length': String(request.headers['content-length']),
        },
        body: request.body,
      },
      { signingDate },
    );

    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
    );
    expect(request.headers.authorization).toBe(expected.headers.authorization);
  });

  it('omits the security token header when the credentials have none', async () => {
    const api = await fakeApi();
    const client = clientFor(api.endpoint, {
      credentials: () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
    });

    await client.postToConnection('abc=', 'x');

    expect(api.received[0]?.headers['x-amz-security-token']).toBeUndefined();
    expect(api.received[0]?.headers.authorization).toContain('Credential=AKID/');
  });

  it('reads the credentials on every request, so rotated ones are used', async () => {
    const api = await fakeApi();
    let keyId = 'FIRST';
    const client = clientFor(api.endpoint, {
      credentials: () => ({ accessKeyId: keyId, secretAccessKey: 'secret' }),
    });

    await client.postToConnection('a', 'x');
    keyId = 'SECOND';
    await client.postToConnection('b', 'x');

    expect(api.received.map((r) => String(r.headers.authorization).split('/')[0])).toEqual([
      'AWS4-HMAC-SHA256 Credential=FIRST',
      'AWS4-HMAC-SHA256 Credential=SECOND',
    ]);
  });

  it('keeps the socket alive between posts', async () => {
    const api = await fakeApi();
    const client = clientFor(api.endpoint);

    for (let i = 0; i < 5; i += 1) await client.postToConnection(`c${i}`, 'x');

    expect(api.received).toHaveLength(5);
    expect(api.sockets).toBe(1);
  });

  it('works with an endpoint without a stage path', async () => {
    const api = await fakeApi();

    await clientFor(api.endpoint.replace(/\/prod$/, '')).postToConnection('abc=', 'x');

    expect(api.received[0]?.url).toBe('/@connections/abc%3D');
  });

  it('throws a ManagementApiError named by x-amzn-ErrorType, with status and message', async () => {
    const api = await fakeApi((res) =>
      res
        .writeHead(410, {
          'content-type': 'application/json',
          'x-amzn-ErrorType': 'GoneException:http://internal.amazon.com/coral/com.amazonaws.gatewayservice/',
        })
        .end('{"message":"Connection abc= is gone"}'),
    );

    const error = await failureOf(clientFor(api.endpoint).postToConnection('abc=', 'x'));

    expect(error).toBeInstanceOf(ManagementApiError);
    expect(error).toMatchObject({
      name: 'GoneException',
      statusCode: 410,
      message: 'Connection abc= is gone',
    });
  });

  it('names an error without an error type header by its status, keeping a non-JSON body as the message', async () => {
    const api = await fakeApi((res) => res.writeHead(503).end('upstream unavailable'));

    const error = await failureOf(clientFor(api.endpoint).postToConnection('abc=', 'x'));

    expect(error).toMatchObject({ name: 'Http503Error', statusCode: 503, message: 'upstream unavailable' });
  });

  it('reads a capitalised Message field and falls back to the type for an empty body', async () => {
    const api = await fakeApi((res) => {
      const forbidden = api.received.length === 1;
      if (forbidden) {
        res.writeHead(403, { 'x-amzn-ErrorType': 'ForbiddenException' }).end('{"Message":"Forbidden"}');
      } else {
        res.writeHead(429, { 'x-amzn-ErrorType': 'LimitExceededException' }).end();
      }
    });
    const client = clientFor(api.endpoint);

    const forbidden = await failureOf(client.postToConnection('a', 'x'));
    const throttled = await failureOf(client.postToConnection('b', 'x'));

    expect(forbidden).toMatchObject({ name: 'ForbiddenException', statusCode: 403, message: 'Forbidden' });
    expect(throttled).toMatchObject({
      name: 'LimitExceededException',
      statusCode: 429,
      message: 'LimitExceededException',
    });
  });

  it('gives up on a request with no answer after requestTimeoutMs with a TimeoutError', async () => {
    const api = await fakeApi(() => {
      // Never answers.
    });

    const started = performance.now();
    const error = await failureOf(
      clientFor(api.endpoint, { requestTimeoutMs: 150 }).postToConnection('abc=', 'x'),
    );

    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects with the socket error when nothing listens', async () => {
    const api = await fakeApi();
    const endpoint = api.endpoint;
    await new Promise<void>((resolve) => api.server.close(() => resolve()));
    servers.splice(servers.indexOf(api.server), 1);

    const error = await failureOf(clientFor(endpoint).postToConnection('abc=', 'x'));

    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects an endpoint that is not http(s)', () => {
    expect(
      () =>
        new ManagementApiClient({
          endpoint: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
          region: 'eu-west-1',
          credentials: () => CREDENTIALS,
          maxSockets: 1,
          requestTimeoutMs: 1_000,
        }),
    ).toThrow('Management API endpoint must be an http(s) URL, got wss://abc.execute-api');
  });
});

describe('ManagementApiClient signing date', () => {
  it('dates each signature by its clock, to the second', async () => {
    const api = await fakeApi();
    let now = Date.UTC(2026, 10, 26, 10, 15, 0, 250);
    const client = clientFor(api.endpoint, { now: () => now });

    await client.postToConnection('a', 'x');
    now += 500;
    await client.postToConnection('b', 'x');
    now += 1_000;
    await client.postToConnection('c', 'x');

    expect(api.received.map((r) => r.headers['x-amz-date'])).toEqual([
      '20261126T101500Z',
      '20261126T101500Z',
      '20261126T101501Z',
    ]);
    expect(api.received[2]?.headers.authorization).toContain('Credential=AKIDEXAMPLE/20261126/eu-west-1/');
  });
});
