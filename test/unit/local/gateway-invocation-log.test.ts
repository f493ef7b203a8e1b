import { afterEach, describe, expect, it } from 'vitest';
import {
  apiModel,
  closeStartedGateways,
  connect,
  startTestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

describe('gateway onInvocation', () => {
  it('reports each invocation once, with the route, connection, function and outcome', async () => {
    // Prepare
    const { gateway, lambdas, logs } = await startTestGateway(apiModel(['$connect', '$disconnect', 'ping']), {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-ping': () => ({ statusCode: 202 }),
      'fn-$disconnect': () => undefined,
    });
    const client = await connect(gateway.url);
    const connectionId = lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectionId;

    // Act
    client.ws.send('{"action":"ping"}');
    await waitFor(() => logs.length === 2);
    client.ws.close();
    await waitFor(() => logs.length === 3);
    await gateway.close();

    // Assess
    expect(logs).toEqual([
      {
        api: 'test-api',
        routeKey: '$connect',
        connectionId,
        functionId: 'fn-$connect',
        durationMs: 1,
        outcome: '200',
      },
      {
        api: 'test-api',
        routeKey: 'ping',
        connectionId,
        functionId: 'fn-ping',
        durationMs: 1,
        outcome: '202',
      },
      {
        api: 'test-api',
        routeKey: '$disconnect',
        connectionId,
        functionId: 'fn-$disconnect',
        durationMs: 1,
        outcome: '200',
      },
    ]);
  });

  it('reports an invoker that throws as an error outcome and answers Internal server error', async () => {
    // Prepare: a function id with no fake handler makes the fake invoke fail.
    const { gateway, logs } = await startTestGateway(apiModel(['$default']), {});
    const client = await connect(gateway.url);

    // Act
    client.ws.send('hello');
    const reply = await client.nextJson();

    // Assess
    expect(reply).toMatchObject({ message: 'Internal server error' });
    expect(logs.map((log) => log.outcome)).toEqual(['error Error: no fake handler for fn-$default']);
  });
});
