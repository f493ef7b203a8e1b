import { afterEach, describe, expect, it } from 'vitest';
import {
  apiModel,
  closeStartedGateways,
  connect,
  startTestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

const echoRoutes = {
  'fn-subscribe': () => ({ statusCode: 200 }),
  'fn-$default': () => ({ statusCode: 200 }),
};

describe('gateway route selection', () => {
  it('routes to the route named by $request.body.action', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['subscribe', '$default']), echoRoutes);
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"action":"subscribe"}');
    await waitFor(() => lambdas.invocations.length === 1);

    // Assess
    expect(lambdas.invocations.map((i) => i.functionId)).toEqual(['fn-subscribe']);
  });

  it('falls back to $default for non-JSON, non-object, non-string and unknown selections', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['subscribe', '$default']), echoRoutes);
    const client = await connect(gateway.url);
    const bodies = ['not json', '["subscribe"]', '"subscribe"', '{"action":7}', '{}', '{"action":"nope"}'];

    // Act
    for (const body of bodies) client.ws.send(body);
    await waitFor(() => lambdas.invocations.length === bodies.length);

    // Assess
    const defaults = lambdas.eventsOf('fn-$default');
    expect(defaults.map((event) => event.body).sort()).toEqual([...bodies].sort());
    expect(defaults.every((event) => event.requestContext.routeKey === '$default')).toBe(true);
  });

  it('never routes a message to $connect or $disconnect', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect', '$disconnect', '$default']), {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-$disconnect': () => ({ statusCode: 200 }),
      'fn-$default': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"action":"$disconnect"}');
    await waitFor(() => lambdas.eventsOf('fn-$default').length === 1);

    // Assess
    expect(lambdas.eventsOf('fn-$disconnect')).toEqual([]);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('follows a nested dot path in the route selection expression', async () => {
    // Prepare
    const api = apiModel(['subscribe', '$default'], { routeSelectionExpression: '$request.body.meta.kind' });
    const { gateway, lambdas } = await startTestGateway(api, echoRoutes);
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"meta":{"kind":"subscribe"}}');
    await waitFor(() => lambdas.invocations.length === 1);

    // Assess
    expect(lambdas.invocations.map((i) => i.functionId)).toEqual(['fn-subscribe']);
  });

  it('answers Forbidden with the connection and request ids, and stays open, when nothing matches', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect', 'subscribe']), {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-subscribe': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url);
    const connectionId = lambdas.eventsOf('fn-$connect')[0]?.requestContext.connectionId;

    // Act
    client.ws.send('{"action":"publish"}');
    const reply = await client.nextJson();

    // Assess
    expect(reply).toEqual({
      message: 'Forbidden',
      connectionId,
      requestId: expect.stringMatching(/^.{15}=$/),
    });
    expect(Object.keys(reply as object)).toEqual(['message', 'connectionId', 'requestId']);
    client.ws.send('{"action":"subscribe"}');
    await waitFor(() => lambdas.eventsOf('fn-subscribe').length === 1);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });
});

describe('gateway route results', () => {
  it('answers Internal server error, with the message requestId, when the route fails', async () => {
    // Prepare
    const { gateway, lambdas, logs } = await startTestGateway(apiModel(['$default']), {
      'fn-$default': () => {
        throw new TypeError('boom');
      },
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('hello');
    const reply = (await client.nextJson()) as Record<string, string>;

    // Assess
    const event = lambdas.eventsOf('fn-$default')[0];
    expect(reply).toEqual({
      message: 'Internal server error',
      connectionId: event?.requestContext.connectionId,
      requestId: event?.requestContext.requestId,
    });
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(logs.map((log) => log.outcome)).toEqual(['error TypeError: boom']);
  });

  it('sends nothing back from a one-way route, whatever it returns', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['ping']), {
      'fn-ping': () => ({ statusCode: 200, body: 'should not be sent' }),
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"action":"ping"}');
    await waitFor(() => lambdas.invocations.length === 1);
    // Frames arrive in order: a reply to the ping, had there been one, would come before this Forbidden.
    client.ws.send('{"action":"unrouted"}');
    const first = await client.nextJson();

    // Assess
    expect(first).toMatchObject({ message: 'Forbidden' });
  });

  it('sends the body of a two-way route back to the caller, ignoring statusCode', async () => {
    // Prepare
    const route = { routeKey: 'ping', functionId: 'fn-ping', twoWay: true };
    const { gateway } = await startTestGateway(apiModel([route]), {
      'fn-ping': () => ({ statusCode: 500, body: '{"type":"pong"}' }),
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"action":"ping"}');

    // Assess
    expect(await client.next()).toBe('{"type":"pong"}');
  });

  it('JSON-encodes a bare value returned by a two-way route', async () => {
    // Prepare
    const route = { routeKey: '$default', functionId: 'fn-echo', twoWay: true };
    const { gateway } = await startTestGateway(apiModel([route]), {
      'fn-echo': (event) => (event.body === 'number' ? 42 : 'text'),
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('number');
    const first = await client.next();
    client.ws.send('string');
    const second = await client.next();

    // Assess
    expect([first, second]).toEqual(['42', '"text"']);
  });

  it('sends nothing from a two-way route whose body is empty or missing', async () => {
    // Prepare
    const route = { routeKey: 'quiet', functionId: 'fn-quiet', twoWay: true };
    const { gateway, lambdas } = await startTestGateway(apiModel([route]), {
      'fn-quiet': (event) =>
        event.body?.includes('empty') ? { statusCode: 200, body: '' } : { statusCode: 200 },
    });
    const client = await connect(gateway.url);

    // Act
    client.ws.send('{"action":"quiet","case":"empty"}');
    client.ws.send('{"action":"quiet","case":"missing"}');
    await waitFor(() => lambdas.invocations.length === 2);
    client.ws.send('{"action":"unrouted"}');
    const first = await client.nextJson();

    // Assess
    expect(first).toMatchObject({ message: 'Forbidden' });
  });
});
