import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * The per-connection rate limit and the subscription cap over the real runtime and DynamoDB engines: a flood
 * is answered `RATE_LIMITED` and then closed through the Management API, while a bystander carries on.
 */
describe.each(['dynalite', 'local'] as const)('abuse over the offline runtime (%s)', (engine) => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  const clients: TestClient[] = [];

  const connect = async (clientId: string): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, { clientId }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    runtime = await startRuntime({ cdkOut: inject('productAssembly'), port: 0, dynamodb: { engine } });
    const first = runtime.apis[0];
    if (!first) throw new Error('the product assembly has no WebSocket API');
    api = first;
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await runtime?.close();
  });

  it('answers a flood RATE_LIMITED with retryAfterMs, closes it, and leaves a bystander alone', async () => {
    // Prepare
    const abuser = await connect('abuser');
    const bystander = await connect('bystander');

    // Act: far more than the burst (100), at once
    for (let i = 0; i < 400; i += 1) abuser.send({ action: 'ping', id: i });
    const limited = await abuser.next((json) => json.code === 'RATE_LIMITED', 20_000);
    const closed = await Promise.race([
      abuser.closed,
      new Promise((resolve) => setTimeout(() => resolve('still open'), 20_000)),
    ]);

    // Assess
    expect(limited.json).toMatchObject({
      type: 'error',
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
    });
    expect(closed).toMatchObject({ code: expect.any(Number) });
    const pongs = abuser.frames.filter((f) => (f.json as { type?: string }).type === 'pong').length;
    expect(pongs).toBeGreaterThan(0);
    expect(pongs).toBeLessThan(400);
    bystander.send({ action: 'ping', id: 'b' });
    await expect(bystander.next((json) => json.type === 'pong' && json.id === 'b')).resolves.toBeDefined();
  }, 60_000);

  it('refuses the 101st subscription with LIMIT_EXCEEDED and takes one after an unsubscribe', async () => {
    const client = await connect('collector');
    for (let i = 0; i < 100; i += 1) {
      client.send({ action: 'subscribe', channel: `cap-${i}`, id: i });
      await client.next((json) => json.type === 'subscribed' && json.id === i);
    }

    client.send({ action: 'subscribe', channel: 'cap-100', id: 'over' });
    const over = await client.next((json) => json.id === 'over');
    client.send({ action: 'subscribe', channel: 'cap-5', id: 'again' });
    const again = await client.next((json) => json.id === 'again');
    client.send({ action: 'unsubscribe', channel: 'cap-0', id: 'free' });
    await client.next((json) => json.id === 'free');
    client.send({ action: 'subscribe', channel: 'cap-100', id: 'now' });
    const now = await client.next((json) => json.id === 'now');

    expect(over.json).toMatchObject({ type: 'error', code: 'LIMIT_EXCEEDED' });
    expect(again.json).toMatchObject({ type: 'subscribed', channel: 'cap-5' });
    expect(now.json).toMatchObject({ type: 'subscribed', channel: 'cap-100' });
  }, 120_000);
});
