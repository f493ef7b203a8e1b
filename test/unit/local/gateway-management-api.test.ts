import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  apiModel,
  closeStartedGateways,
  connect,
  deferred,
  startTestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

const clients: ApiGatewayManagementApiClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await closeStartedGateways();
});

function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  clients.push(client);
  return client;
}

async function connectedGateway(options: Parameters<typeof startTestGateway>[2] = {}) {
  const setup = await startTestGateway(
    apiModel(['$connect', '$disconnect', '$default']),
    {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-$disconnect': () => ({ statusCode: 200 }),
      'fn-$default': () => ({ statusCode: 200 }),
    },
    options,
  );
  const client = await connect(setup.gateway.url, { headers: { 'User-Agent': 'mgmt-test' } });
  const connectionId = setup.lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectionId ?? '';
  return { ...setup, client, connectionId, management: managementClient(setup.gateway.managementUrl) };
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('gateway Management API (@connections) with the real SDK client', () => {
  it('exposes the stage URL as managementUrl', async () => {
    // Prepare
    const { gateway } = await startTestGateway(apiModel(['$default']), {});

    // Assess
    expect(gateway.managementUrl).toBe(`http://127.0.0.1:${gateway.port}/prod`);
    expect(gateway.url).toBe(`ws://127.0.0.1:${gateway.port}`);
  });

  it('PostToConnection sends the data to the client as a text frame', async () => {
    // Prepare
    const { client, connectionId, management } = await connectedGateway();

    // Act
    const output = await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"hello"}' }),
    );

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(await client.next()).toBe('{"type":"hello"}');
  });

  it('GetConnection describes the connection with parsed timestamps', async () => {
    // Prepare
    const { connectionId, management, lambdas } = await connectedGateway();
    const connectedAt = lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectedAt;

    // Act
    const output = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));

    // Assess
    expect(output.ConnectedAt).toEqual(new Date(connectedAt ?? 0));
    expect(output.LastActiveAt).toBeInstanceOf(Date);
    expect(output.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'mgmt-test' });
  });

  it('GetConnection reports the last client message as lastActiveAt', async () => {
    // Prepare
    const { client, connectionId, management, lambdas } = await connectedGateway();
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.ws.send('activity');
    await waitFor(() => lambdas.eventsOf('fn-$default').length === 1);

    // Act
    const output = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));

    // Assess
    expect(output.LastActiveAt?.getTime()).toBeGreaterThan(output.ConnectedAt?.getTime() ?? Infinity);
  });

  it('DeleteConnection closes the connection, runs $disconnect and answers 204', async () => {
    // Prepare
    const { gateway, client, connectionId, management, lambdas } = await connectedGateway();

    // Act
    const output = await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await client.closeResult();
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(204);
    expect(gateway.connectionCount()).toBe(0);
  });

  it('raises GoneException (410) for an unknown connection id, for every command', async () => {
    // Prepare
    const { management } = await connectedGateway();
    const ConnectionId = 'AAAAAAAAAAAAAAA=';

    // Act
    const errors = await Promise.all([
      errorOf(management.send(new PostToConnectionCommand({ ConnectionId, Data: 'x' }))),
      errorOf(management.send(new GetConnectionCommand({ ConnectionId }))),
      errorOf(management.send(new DeleteConnectionCommand({ ConnectionId }))),
    ]);

    // Assess
    expect(errors.map((error) => [error.name, error.$metadata?.httpStatusCode])).toEqual([
      ['GoneException', 410],
      ['GoneException', 410],
      ['GoneException', 410],
    ]);
  });

  it('raises GoneException for a connection that has closed', async () => {
    // Prepare
    const { client, connectionId, management, lambdas } = await connectedGateway();
    client.ws.close();
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);

    // Act
    const error = await errorOf(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })),
    );

    // Assess
    expect(error.name).toBe('GoneException');
  });

  it('raises GoneException while $connect is still running, then delivers once it accepted', async () => {
    // Prepare
    const hold = deferred();
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': async () => {
        await hold.promise;
        return { statusCode: 200 };
      },
    });
    const management = managementClient(gateway.managementUrl);
    const opening = connect(gateway.url);
    await waitFor(() => lambdas.eventsOf('fn-$connect').length === 1);
    const connectionId = lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectionId;

    // Act
    const during = await errorOf(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'early' })),
    );
    hold.resolve();
    const client = await opening;
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' }));

    // Assess
    expect(during.name).toBe('GoneException');
    expect(await client.next()).toBe('late');
  });

  it('raises PayloadTooLargeException (413) for data over 128 KB and sends nothing', async () => {
    // Prepare
    const { client, connectionId, management } = await connectedGateway();

    // Act
    const error = await errorOf(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(131_073) })),
    );
    await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(131_072) }),
    );

    // Assess
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['PayloadTooLargeException', 413]);
    expect((await client.next()).length).toBe(131_072);
  });

  it('fails the requests a managementFault picks with 429 or 5xx in the AWS error format, serving the others', async () => {
    const seen: { method: string; frame?: string }[] = [];
    const { client, connectionId, gateway } = await connectedGateway({
      managementFault: (request) => {
        seen.push({
          method: request.method,
          ...(request.frame === undefined ? {} : { frame: request.frame }),
        });
        if (request.frame === 'throttle me') return 429;
        if (request.method === 'GET') return 503;
        return undefined;
      },
    });

    // SDK retries off, so each command is one request.
    const management = new ApiGatewayManagementApiClient({
      endpoint: gateway.managementUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    clients.push(management);
    const throttled = await errorOf(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'throttle me' })),
    );
    const unavailable = await errorOf(
      management.send(new GetConnectionCommand({ ConnectionId: connectionId })),
    );
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'fine' }));

    expect(throttled.name).toBe('LimitExceededException');
    expect(throttled.$metadata?.httpStatusCode).toBe(429);
    expect(unavailable.$metadata?.httpStatusCode).toBe(503);
    // Only the frame that was not failed reached the client.
    expect(await client.next()).toBe('fine');
    expect(seen).toEqual([
      { method: 'POST', frame: 'throttle me' },
      { method: 'GET' },
      { method: 'POST', frame: 'fine' },
    ]);
  });

  it('also serves @connections without the stage prefix', async () => {
    // Prepare
    const { gateway, client, connectionId } = await connectedGateway();

    // Act
    const response = await fetch(
      `http://127.0.0.1:${gateway.port}/@connections/${encodeURIComponent(connectionId)}`,
      { method: 'POST', body: 'plain' },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(await client.next()).toBe('plain');
  });

  it('answers unknown paths with 404 and unsupported methods with 403, in the AWS error format', async () => {
    // Prepare
    const { gateway, connectionId } = await connectedGateway();
    const base = `http://127.0.0.1:${gateway.port}`;

    // Act
    const notFound = await fetch(`${base}/prod/nothing-here`);
    const wrongStage = await fetch(`${base}/dev/@connections/${encodeURIComponent(connectionId)}`);
    const wrongMethod = await fetch(`${base}/prod/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'PUT',
      body: 'x',
    });

    // Assess
    expect([notFound.status, wrongStage.status, wrongMethod.status]).toEqual([404, 404, 403]);
    expect(notFound.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(await wrongMethod.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('accepts an upgrade and a management call on the same port', async () => {
    // Prepare
    const { gateway, connectionId, management } = await connectedGateway();
    const second = new WebSocket(`${gateway.url}/prod`);
    await new Promise((resolve, reject) => {
      second.once('open', resolve);
      second.once('error', reject);
    });

    // Act
    const output = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));

    // Assess
    expect(output.Identity?.SourceIp).toBe('127.0.0.1');
    expect(gateway.connectionCount()).toBe(2);
    second.terminate();
  });
});
