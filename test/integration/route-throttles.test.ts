import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ROUTE_THROTTLES } from '../../lib/route-throttles.js';
import { connectUrl } from '../../local/connect-url.js';
import type { InvocationLog } from '../../local/model.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * The product stack's per-route throttles (`RouteSettings`) over the real runtime: a flood of the amplifier
 * route `sendmessage` empties its own bucket and is answered `Too many requests`, while the other routes, on the
 * stage's default bucket, and new handshakes, on `$connect`'s, go on answering.
 */
describe('route throttles over the offline runtime', () => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  const invocations: InvocationLog[] = [];
  const clients: TestClient[] = [];

  const connect = async (clientId: string): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, { clientId }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      dynamodb: { engine: 'dynalite' },
      onInvocation: (log) => invocations.push(log),
    });
    const first = runtime.apis[0];
    if (!first) throw new Error('the product assembly has no WebSocket API');
    api = first;
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await runtime?.close();
  });

  it('throttles a sendmessage flood on its own bucket while ping, publish and new connections still answer', async () => {
    // Prepare
    const sendmessage = DEFAULT_ROUTE_THROTTLES.sendmessage;
    if (!sendmessage || sendmessage.burstLimit === undefined)
      throw new Error('sendmessage has no default burst');
    const flood = sendmessage.burstLimit + 20;
    const flooder = await connect('flooder');
    const bystander = await connect('bystander');
    const throttled = (): number =>
      flooder.frames.filter((frame) => (frame.json as { message?: unknown })?.message === 'Too many requests')
        .length;

    // Act: the whole flood at once, then other routes while its fan-outs are still running
    for (let i = 0; i < flood; i += 1) flooder.send({ action: 'sendmessage', data: `flood-${i}` });
    const pong = await flooder.request({ action: 'ping', id: 'after-flood' }, 'pong');
    const published = await bystander.request(
      { action: 'publish', channel: 'throttle-bystanders', data: 'still here', id: 'p' },
      'published',
    );
    const newcomer = await connect('newcomer');
    const newcomerPong = await newcomer.request({ action: 'ping', id: 'hello' }, 'pong');
    await expect.poll(() => throttled(), { timeout: 10_000 }).toBeGreaterThanOrEqual(15);
    const admitted = (): number => invocations.filter((log) => log.routeKey === 'sendmessage').length;
    await expect.poll(() => admitted() + throttled(), { timeout: 30_000 }).toBe(flood);

    // Assess: about the burst got through (plus what refilled while sending), the rest was refused by the
    // gateway without an invocation; the routes on the stage's default bucket never noticed.
    expect(admitted()).toBeGreaterThanOrEqual(sendmessage.burstLimit);
    expect(admitted()).toBeLessThanOrEqual(sendmessage.burstLimit + 5);
    expect(pong).toEqual({ type: 'pong', id: 'after-flood' });
    expect(published).toMatchObject({ type: 'published', channel: 'throttle-bystanders', id: 'p' });
    expect(newcomerPong).toEqual({ type: 'pong', id: 'hello' });
    expect(flooder.frames.find((frame) => frame.raw.includes('Too many requests'))?.json).toEqual({
      message: 'Too many requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
  }, 60_000);
});
