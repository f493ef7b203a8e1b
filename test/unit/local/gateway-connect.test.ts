import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortInUseError, startGateway } from '../../../local/gateway/index.js';
import {
  apiModel,
  closeStartedGateways,
  connect,
  connectWithResponse,
  FakeTimeout,
  refusedStatus,
  startTestGateway,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

describe('gateway $connect', () => {
  it('accepts the upgrade when the API has no $connect route', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$default']), {});

    // Act
    const client = await connect(gateway.url);

    // Assess
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(lambdas.invocations).toEqual([]);
    expect(gateway.connectionCount()).toBe(1);
  });

  it('answers the upgrade at / and at /<stage>, and 403 at any other path', async () => {
    // Prepare
    const { gateway } = await startTestGateway(apiModel(['$default']), {});

    // Act
    const atRoot = await connect(gateway.url);
    const atStage = await connect(`${gateway.url}/prod`);
    const elsewhere = await refusedStatus(`${gateway.url}/dev`);

    // Assess
    expect(atRoot.ws.readyState).toBe(atRoot.ws.OPEN);
    expect(atStage.ws.readyState).toBe(atStage.ws.OPEN);
    expect(elsewhere).toBe(403);
  });

  it('upgrades when $connect returns a 2xx status', async () => {
    // Prepare
    const { gateway, logs } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 204 }),
    });

    // Act
    const client = await connect(gateway.url);

    // Assess
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(logs).toEqual([
      expect.objectContaining({
        api: 'test-api',
        routeKey: '$connect',
        functionId: 'fn-$connect',
        outcome: '204',
      }),
    ]);
  });

  it('answers with the status $connect returned when it is not 2xx', async () => {
    // Prepare
    const { gateway, logs } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 401, body: 'no' }),
    });

    // Act
    const status = await refusedStatus(gateway.url);

    // Assess
    expect(status).toBe(401);
    expect(gateway.connectionCount()).toBe(0);
    expect(logs.map((log) => log.outcome)).toEqual(['rejected 401']);
  });

  it('answers 502 Bad Gateway when $connect throws', async () => {
    // Prepare
    const { gateway, logs } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => {
        throw new TypeError('boom');
      },
    });

    // Act
    const status = await refusedStatus(gateway.url);

    // Assess
    expect(status).toBe(502);
    expect(logs.map((log) => log.outcome)).toEqual(['error TypeError: boom']);
  });

  it('answers 502 Bad Gateway when $connect times out', async () => {
    // Prepare
    const { gateway, logs } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => {
        throw new FakeTimeout();
      },
    });

    // Act
    const status = await refusedStatus(gateway.url);

    // Assess
    expect(status).toBe(502);
    expect(logs.map((log) => log.outcome)).toEqual(['timeout']);
  });

  it('sends the headers $connect returns in the 101 response, including the subprotocol', async () => {
    // Prepare
    const { gateway } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({
        statusCode: 200,
        headers: { 'Sec-WebSocket-Protocol': 'chat', 'X-Session': 's-1' },
      }),
    });

    // Act
    const { client, headers } = await connectWithResponse(gateway.url, ['chat', 'superchat']);

    // Assess
    expect(client.ws.protocol).toBe('chat');
    expect(headers['x-session']).toBe('s-1');
  });

  it('does not echo the requested subprotocol when $connect does not return one', async () => {
    // Prepare
    const { gateway } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 200 }),
    });

    // Act
    const attempt = connectWithResponse(gateway.url, ['chat']);

    // Assess: a client that asked for a subprotocol must fail the connection when none comes back.
    await expect(attempt).rejects.toThrow('Server sent no subprotocol');
  });

  it('does not invoke $connect for a request that is not a WebSocket handshake', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 200 }),
    });

    // Act
    const response = await fetch(`http://127.0.0.1:${gateway.port}/prod`);

    // Assess
    expect(response.status).toBe(426);
    expect(lambdas.invocations).toEqual([]);
  });

  it('rejects with a message naming --port and PORT when the port is in use', async () => {
    // Prepare
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    // Act
    const attempt = startGateway({
      api: apiModel(['$default']),
      invoke: async () => ({ ok: true, value: null, durationMs: 0 }),
      port,
    });

    // Assess
    try {
      await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
      await expect(attempt).rejects.toThrow(/already in use.*--port.*PORT/s);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
