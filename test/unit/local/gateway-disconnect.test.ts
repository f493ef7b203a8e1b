import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  apiModel,
  closeStartedGateways,
  connect,
  deferred,
  startTestGateway,
  type TestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

async function lifecycleGateway(options: { idleTimeoutMs?: number } = {}): Promise<TestGateway> {
  return startTestGateway(
    apiModel(['$connect', '$disconnect', '$default']),
    {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-$disconnect': () => ({ statusCode: 200 }),
      'fn-$default': () => ({ statusCode: 200 }),
    },
    options,
  );
}

/** Closes the gateway (which awaits every $disconnect) and returns the $disconnect contexts, one per close. */
async function disconnectsAfterShutdown(setup: TestGateway) {
  await setup.gateway.close();
  return setup.lambdas.eventsOf('fn-$disconnect').map((event) => event.requestContext);
}

describe('gateway $disconnect', () => {
  it('runs once with the client close code and reason when the client closes', async () => {
    // Prepare
    const setup = await lifecycleGateway();
    const client = await connect(setup.gateway.url);

    // Act
    client.ws.close(4000, 'done');
    await client.closeResult();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([
      expect.objectContaining({ disconnectStatusCode: 4000, disconnectReason: 'done' }),
    ]);
  });

  it('reports 1005 when the client closes without a status code', async () => {
    // Prepare
    const setup = await lifecycleGateway();
    const client = await connect(setup.gateway.url);

    // Act
    client.ws.close();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([
      expect.objectContaining({
        disconnectStatusCode: 1005,
        disconnectReason: 'Client-side close frame status not set',
      }),
    ]);
  });

  it('reports 1006 once when the client drops the TCP connection', async () => {
    // Prepare
    const setup = await lifecycleGateway();
    const client = await connect(setup.gateway.url);

    // Act
    client.ws.terminate();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([expect.objectContaining({ disconnectStatusCode: 1006 })]);
  });

  it('runs once with 1001 after an idle timeout', async () => {
    // Prepare
    const setup = await lifecycleGateway({ idleTimeoutMs: 200 });
    const client = await connect(setup.gateway.url);

    // Act
    await client.closeResult();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([
      expect.objectContaining({ disconnectStatusCode: 1001, disconnectReason: 'Going away' }),
    ]);
  });

  it('runs once with 1009 after a frame-limit close', async () => {
    // Prepare
    const setup = await lifecycleGateway();
    const client = await connect(setup.gateway.url);

    // Act
    client.ws.send('x'.repeat(40_000));
    await client.closeResult();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([expect.objectContaining({ disconnectStatusCode: 1009 })]);
  });

  it('runs once with 1000 after a Management API DeleteConnection, and the client sees 1000', async () => {
    // Prepare
    const setup = await lifecycleGateway();
    const client = await connect(setup.gateway.url);
    const connectionId = setup.lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectionId;
    const management = new ApiGatewayManagementApiClient({
      endpoint: setup.gateway.managementUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });

    // Act
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    const closed = await client.closeResult();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);
    management.destroy();

    // Assess
    expect(closed.code).toBe(1000);
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([
      expect.objectContaining({
        connectionId,
        disconnectStatusCode: 1000,
        disconnectReason: 'Connection Closed Normally',
      }),
    ]);
  });

  it("close() closes every client with 1001 'Going away' and resolves after their $disconnect returned", async () => {
    // Prepare
    const release = deferred();
    let finishedDisconnects = 0;
    const { gateway } = await startTestGateway(apiModel(['$disconnect']), {
      'fn-$disconnect': async () => {
        await release.promise;
        finishedDisconnects += 1;
        return { statusCode: 200 };
      },
    });
    const clients = [await connect(gateway.url), await connect(gateway.url)];

    // Act
    const closing = gateway.close();
    const closes = await Promise.all(clients.map((client) => client.closeResult()));
    setTimeout(() => release.resolve(), 50);
    await closing;

    // Assess
    expect(closes).toEqual([
      { code: 1001, reason: 'Going away' },
      { code: 1001, reason: 'Going away' },
    ]);
    expect(finishedDisconnects).toBe(2);
    expect(gateway.connectionCount()).toBe(0);
  });

  it('runs $disconnect once with 1006 when the client leaves while an accepting $connect runs', async () => {
    // Prepare
    const hold = deferred();
    const setup = await startTestGateway(apiModel(['$connect', '$disconnect']), {
      'fn-$connect': async () => {
        await hold.promise;
        return { statusCode: 200 };
      },
      'fn-$disconnect': () => ({ statusCode: 200 }),
    });
    const ws = new WebSocket(setup.gateway.url);
    ws.on('error', () => undefined);
    await waitFor(() => setup.lambdas.eventsOf('fn-$connect').length === 1);

    // Act
    ws.terminate();
    hold.resolve();
    await waitFor(() => setup.lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const contexts = await disconnectsAfterShutdown(setup);
    expect(contexts).toEqual([expect.objectContaining({ disconnectStatusCode: 1006 })]);
  });
});
