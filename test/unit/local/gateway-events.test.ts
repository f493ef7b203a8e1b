import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocketEvent } from '../../../local/gateway/index.js';
import {
  apiModel,
  closeStartedGateways,
  connect,
  startTestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

const ID = /^[A-Za-z0-9]{15}=$/;
const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

function commonContext(port: number) {
  return {
    connectionId: expect.stringMatching(ID),
    connectedAt: expect.any(Number),
    requestId: expect.stringMatching(ID),
    extendedRequestId: expect.stringMatching(ID),
    requestTimeEpoch: expect.any(Number),
    requestTime: expect.stringMatching(REQUEST_TIME),
    domainName: `127.0.0.1:${port}`,
    stage: 'prod',
    apiId: 'abcdef1234',
    messageDirection: 'IN',
    identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test/1.0' },
  };
}

describe('gateway event format', () => {
  it('sends $connect the handshake headers, query string and an API Gateway requestContext', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 200 }),
    });

    // Act
    const client = await connect(`${gateway.url}/prod?token=abc&tag=a&tag=b`, {
      headers: { 'User-Agent': 'gateway-test/1.0', 'X-Custom': 'yes' },
    });
    client.ws.close();

    // Assess
    const [event] = lambdas.eventsOf('fn-$connect');
    expect(event?.requestContext).toEqual({
      ...commonContext(gateway.port),
      routeKey: '$connect',
      eventType: 'CONNECT',
    });
    expect(event?.requestContext.extendedRequestId).toBe(event?.requestContext.requestId);
    expect(event?.headers).toMatchObject({
      Host: `127.0.0.1:${gateway.port}`,
      'User-Agent': 'gateway-test/1.0',
      'X-Custom': 'yes',
      'Sec-WebSocket-Version': '13',
      'X-Forwarded-For': '127.0.0.1',
      'X-Forwarded-Proto': 'http',
    });
    expect(event?.headers).not.toHaveProperty('Connection');
    expect(event?.headers).not.toHaveProperty('Upgrade');
    expect(event?.multiValueHeaders?.['X-Custom']).toEqual(['yes']);
    expect(event?.queryStringParameters).toEqual({ token: 'abc', tag: 'b' });
    expect(event?.multiValueQueryStringParameters).toEqual({ token: ['abc'], tag: ['a', 'b'] });
    expect(event?.isBase64Encoded).toBe(false);
    expect(event).not.toHaveProperty('body');
  });

  it('omits the query string fields from $connect when the URL has none', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 200 }),
    });

    // Act
    const client = await connect(gateway.url);
    client.ws.close();

    // Assess
    const [event] = lambdas.eventsOf('fn-$connect');
    expect(event).toBeDefined();
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('multiValueQueryStringParameters');
  });

  it('sends a message route its own route key, a messageId and the raw body, without headers', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect', 'subscribe']), {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-subscribe': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url, { headers: { 'User-Agent': 'gateway-test/1.0' } });
    const body = '{"action":"subscribe","channel":"lobby"}';

    // Act
    client.ws.send(body);
    await waitFor(() => lambdas.eventsOf('fn-subscribe').length === 1);

    // Assess
    const [connectEvent] = lambdas.eventsOf('fn-$connect');
    const [event] = lambdas.eventsOf('fn-subscribe');
    expect(event).toEqual({
      requestContext: {
        ...commonContext(gateway.port),
        routeKey: 'subscribe',
        eventType: 'MESSAGE',
        messageId: expect.stringMatching(ID),
        connectionId: connectEvent?.requestContext.connectionId,
        connectedAt: connectEvent?.requestContext.connectedAt,
      },
      body,
      isBase64Encoded: false,
    });
    expect(event?.requestContext.requestId).not.toBe(connectEvent?.requestContext.requestId);
  });

  it('gives $disconnect the close code and reason inside requestContext', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$disconnect']), {
      'fn-$disconnect': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url, { headers: { 'User-Agent': 'gateway-test/1.0' } });

    // Act
    client.ws.close(4001, 'bye now');
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const [event] = lambdas.eventsOf<WebSocketEvent>('fn-$disconnect');
    expect(event?.requestContext).toEqual({
      ...commonContext(gateway.port),
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4001,
      disconnectReason: 'bye now',
    });
    expect(event?.headers).toMatchObject({ Host: `127.0.0.1:${gateway.port}` });
    expect(event).not.toHaveProperty('body');
  });

  it('formats requestTime as dd/MMM/yyyy:HH:mm:ss +0000 in UTC, matching requestTimeEpoch', async () => {
    // Prepare
    const { gateway, lambdas } = await startTestGateway(apiModel(['$connect']), {
      'fn-$connect': () => ({ statusCode: 200 }),
    });

    // Act
    const client = await connect(gateway.url);
    client.ws.close();

    // Assess
    const context = lambdas.eventsOf('fn-$connect')[0]?.requestContext;
    const epoch = new Date(context?.requestTimeEpoch ?? 0);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const pad = (n: number) => String(n).padStart(2, '0');
    const expected =
      `${pad(epoch.getUTCDate())}/${months[epoch.getUTCMonth()]}/${epoch.getUTCFullYear()}:` +
      `${pad(epoch.getUTCHours())}:${pad(epoch.getUTCMinutes())}:${pad(epoch.getUTCSeconds())} +0000`;
    expect(context?.requestTime).toBe(expected);
  });
});
