import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import type { InvocationLog } from '../../local/model.js';
import { type RunningRuntime, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * API Gateway's WebSocket behaviours, end to end through the offline runtime serving a second CDK app (the echo
 * fixture in test/fixtures/echo-app): real bundled Lambdas in workers, real `ws` clients, no fakes.
 * The numbers refer to the list in the README ("API Gateway behaviours it reproduces").
 */
describe('API Gateway behaviours over the offline runtime (echo fixture app)', () => {
  let runtime: RunningRuntime;
  let echoUrl: string;
  let authUrl: string;
  const invocations: InvocationLog[] = [];
  const IDLE_MS = 1500;

  const urlOf = (name: string): string => {
    const api = runtime.apis.find((a) => a.name === name);
    if (!api) throw new Error(`no API named ${name}`);
    return api.url;
  };

  /** The event the `echo` route received, as it returned it. */
  const echo = async (client: TestClient, extra: Record<string, unknown> = {}) => {
    client.send({ action: 'echo', ...extra });
    const frame = await client.next((json) => typeof json.requestContext === 'object');
    return frame.json as { requestContext: Record<string, unknown>; body: string; [key: string]: unknown };
  };

  /** Resolves with the HTTP status of a refused handshake. */
  const refusedStatus = (url: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      // terminate() on a refused handshake emits 'error'; the status is what this helper reports.
      socket.on('error', () => undefined);
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('open', () => {
        socket.close();
        reject(new Error('the handshake was accepted'));
      });
    });

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('fixtureAssembly'),
      port: 0,
      idleTimeoutMs: IDLE_MS,
      onInvocation: (log) => invocations.push(log),
    });
    echoUrl = urlOf('echo-fixture');
    authUrl = urlOf('echo-fixture-auth');
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('1. gives a message route an event shaped like API Gateway, with its own routeKey', async () => {
    const client = await TestClient.open(echoUrl);
    const event = await echo(client, { n: 1 });
    expect(event.requestContext).toMatchObject({
      routeKey: 'echo',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      stage: 'dev',
      identity: { sourceIp: '127.0.0.1' },
    });
    for (const field of ['connectionId', 'requestId', 'messageId', 'apiId', 'domainName', 'requestTime']) {
      expect(typeof event.requestContext[field]).toBe('string');
    }
    expect(typeof event.requestContext.connectedAt).toBe('number');
    expect(typeof event.requestContext.requestTimeEpoch).toBe('number');
    expect(JSON.parse(event.body)).toEqual({ action: 'echo', n: 1 });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers).toBeUndefined();
    await client.close();
  });

  it('2. refuses the handshake with the status $connect returns, and with 502 when it throws', async () => {
    expect(await refusedStatus(`${echoUrl}?reject=403`)).toBe(403);
    expect(await refusedStatus(`${echoUrl}?reject=429`)).toBe(429);
    expect(await refusedStatus(`${echoUrl}?throw=1`)).toBe(502);
  });

  it('2. sends the subprotocol only when $connect returns it', async () => {
    const chat = await TestClient.open(echoUrl, ['chat']);
    expect(chat.socket.protocol).toBe('chat');
    await chat.close();
    // `ws` refuses a handshake whose 101 names no subprotocol although the client asked for one.
    await expect(TestClient.open(echoUrl, ['other'])).rejects.toThrow(/no subprotocol/i);
  });

  it('3. answers Forbidden to a message no route matches (no $default) and stays connected', async () => {
    const client = await TestClient.open(echoUrl);
    client.send({ action: 'nothing-here' });
    const forbidden = await client.next((json) => json.message === 'Forbidden');
    expect(Object.keys(forbidden.json as object).sort()).toEqual(['connectionId', 'message', 'requestId']);
    client.send('not even json');
    await client.next((json) => json.message === 'Forbidden');
    expect((await echo(client)).requestContext.routeKey).toBe('echo');
    await client.close();
  });

  it('4. answers Internal server error when a route throws or times out, and stays connected', async () => {
    const client = await TestClient.open(echoUrl);
    client.send({ action: 'boom' });
    const boom = await client.next((json) => json.message === 'Internal server error');
    expect(boom.json).toMatchObject({ message: 'Internal server error' });
    client.send({ action: 'slow' });
    await client.next((json) => json.message === 'Internal server error', 15_000);
    expect((await echo(client)).requestContext.routeKey).toBe('echo');
    await client.close();
  });

  it('4. drops the result of a one-way route', async () => {
    const client = await TestClient.open(echoUrl);
    client.send({ action: 'oneway' });
    await expect(client.next(() => true, 1000)).rejects.toThrow(/no matching frame/);
    expect(invocations.some((l) => l.routeKey === 'oneway' && l.outcome === '200')).toBe(true);
    await client.close();
  });

  it('5. closes with 1009 on a frame over 32 KB and 1003 on a binary frame', async () => {
    const big = await TestClient.open(echoUrl);
    big.send({ action: 'echo', pad: 'x'.repeat(33 * 1024) });
    expect((await big.closed).code).toBe(1009);
    const binary = await TestClient.open(echoUrl);
    binary.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await binary.closed).code).toBe(1003);
  });

  it('5. closes an idle connection with 1001', async () => {
    const client = await TestClient.open(echoUrl);
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
  });

  it('6. runs $disconnect exactly once after a client closes', async () => {
    const client = await TestClient.open(echoUrl);
    const id = (await echo(client)).requestContext.connectionId;
    await client.close();
    const deadline = Date.now() + 5000;
    while (
      !invocations.some((l) => l.routeKey === '$disconnect' && l.connectionId === id) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(invocations.filter((l) => l.routeKey === '$disconnect' && l.connectionId === id)).toHaveLength(1);
  });

  it('7. runs the REQUEST authorizer: 401 without the identity source, 403 on Deny, context on Allow', async () => {
    const before = invocations.filter((l) => l.api === 'echo-fixture-auth').length;
    expect(await refusedStatus(authUrl)).toBe(401);
    // A missing identity source is refused without invoking the authorizer.
    expect(invocations.filter((l) => l.api === 'echo-fixture-auth').length).toBe(before);
    expect(await refusedStatus(`${authUrl}?token=nope`)).toBe(403);

    const client = await TestClient.open(`${authUrl}?token=allow`);
    const event = await echo(client);
    expect(event.requestContext.authorizer).toMatchObject({ user: 'alice', principalId: 'alice' });
    await client.close();
  });
});
