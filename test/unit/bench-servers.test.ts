import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBaselineServer } from '../../bench/realtime/baseline-server.js';
import { type FloorServer, startFloorServer } from '../../bench/realtime/floor-server.js';
import type { ProtocolHost } from '../../bench/realtime/protocol-host.js';
import { waitUntil } from '../../bench/realtime/wait.js';

const TIMEOUT_MS = 3000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Client {
  readonly socket: WebSocket;
  /** Every text frame received, parsed. */
  readonly frames: Record<string, unknown>[];
  send(request: unknown): void;
}

async function connect(url: string): Promise<Client> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
  });
  cleanups.push(async () => socket.terminate());
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, frames, send: (request) => socket.send(JSON.stringify(request)) };
}

async function clientsOf(host: ProtocolHost, count: number): Promise<Client[]> {
  const clients = [];
  for (let i = 0; i < count; i += 1) clients.push(await connect(host.url));
  // The server registers a peer on its `connection` event, which may come after the client's `open`.
  await waitUntil(() => host.openConnections() === count, { timeoutMs: TIMEOUT_MS });
  return clients;
}

/** Waits (bounded) until `found` matches a frame of `client`, and returns that frame. */
async function frameOf(
  client: Client,
  found: (frame: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown> | undefined> {
  await waitUntil(() => client.frames.some(found), { timeoutMs: TIMEOUT_MS, pollMs: 5 });
  return client.frames.find(found);
}

const SERVERS: readonly { kind: string; start: () => Promise<ProtocolHost> }[] = [
  { kind: 'baseline', start: startBaselineServer },
  { kind: 'floor', start: startFloorServer },
];

async function started(start: () => Promise<ProtocolHost>): Promise<ProtocolHost> {
  const host = await start();
  cleanups.push(() => host.close());
  return host;
}

describe.each(SERVERS)('the $kind server', ({ start }) => {
  it('broadcasts a sendmessage to every client, sender included', async () => {
    const host = await started(start);
    const clients = await clientsOf(host, 3);

    clients[0]?.send({ action: 'sendmessage', data: { hello: 'all' } });

    for (const client of clients) {
      expect(await frameOf(client, (f) => f.hello === 'all')).toEqual({ hello: 'all' });
    }
  });

  it('publishes to the subscribers only, with a seq, and acks the publisher with the count', async () => {
    const host = await started(start);
    const [publisher, subscriber, bystander] = await clientsOf(host, 3);
    if (publisher === undefined || subscriber === undefined || bystander === undefined) throw new Error();
    for (const client of [publisher, subscriber]) {
      client.send({ action: 'subscribe', channel: 'lobby' });
      expect(await frameOf(client, (f) => f.type === 'subscribed')).toEqual({
        type: 'subscribed',
        channel: 'lobby',
      });
    }

    publisher.send({ action: 'publish', channel: 'lobby', data: { n: 1 } });

    for (const client of [publisher, subscriber]) {
      expect(await frameOf(client, (f) => f.type === 'message')).toMatchObject({
        type: 'message',
        channel: 'lobby',
        data: { n: 1 },
        seq: 1,
      });
    }
    expect(await frameOf(publisher, (f) => f.type === 'published')).toEqual({
      type: 'published',
      channel: 'lobby',
      seq: 1,
      delivered: 2,
    });
    expect(bystander.frames).toEqual([]);
  });

  it('answers ping, malformed JSON and an unknown action directly', async () => {
    const host = await started(start);
    const [client] = await clientsOf(host, 1);
    if (client === undefined) throw new Error();

    client.send({ action: 'ping' });
    client.socket.send('{not json');
    client.send({ action: 'dance' });

    await waitUntil(() => client.frames.length >= 3, { timeoutMs: TIMEOUT_MS, pollMs: 5 });
    expect(client.frames).toMatchObject([
      { type: 'pong' },
      { type: 'error', code: 'INVALID_JSON' },
      { type: 'error', code: 'UNKNOWN_ACTION' },
    ]);
  });
});

describe('the floor server', () => {
  async function floor(): Promise<FloorServer> {
    const server = await startFloorServer();
    cleanups.push(() => server.close());
    return server;
  }

  it('relays every delivery as one POST answered 200, and counts the finished fan-outs by route', async () => {
    const server = await floor();
    const clients = await clientsOf(server, 2);

    clients[0]?.send({ action: 'sendmessage', data: { m: 1 } });
    clients[0]?.send({ action: 'sendmessage', data: { m: 2 } });
    await waitUntil(() => server.completedRequests('sendmessage') === 2, { timeoutMs: TIMEOUT_MS });

    expect(server.diagnostics().relay).toMatchObject({
      jobs: { sendmessage: 2, publish: 0 },
      ok: 4,
      gone: 0,
      failed: 0,
      workerErrors: 0,
    });
    for (const client of clients) {
      await waitUntil(() => client.frames.length === 2, { timeoutMs: TIMEOUT_MS, pollMs: 5 });
      // Two relay threads take the messages in turn, so (as with the runtime's two workers) order is not kept.
      expect(client.frames).toHaveLength(2);
      expect(client.frames).toEqual(expect.arrayContaining([{ m: 1 }, { m: 2 }]));
    }
  });

  it('answers a POST for an unknown connection with 410, and anything but a POST with an error', async () => {
    const server = await floor();
    const post = (path: string, method = 'POST') =>
      fetch(`${server.managementUrl}${path}`, {
        method,
        body: method === 'POST' ? '{"x":1}' : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });

    expect((await post('/@connections/nobody')).status).toBe(410);
    expect((await post('/prod/@connections/nobody')).status).toBe(410);
    expect((await post('/@connections/nobody', 'GET')).status).toBe(405);
    expect((await post('/elsewhere')).status).toBe(404);
  });

  it('delivers a POST to a known connection as a text frame', async () => {
    const server = await floor();
    const [client] = await clientsOf(server, 1);
    if (client === undefined) throw new Error();
    // A publish envelope names its sender's connection id.
    client.send({ action: 'subscribe', channel: 'c' });
    client.send({ action: 'publish', channel: 'c', data: 1 });
    const id = String((await frameOf(client, (f) => f.type === 'message'))?.from);

    const response = await fetch(`${server.managementUrl}/@connections/${encodeURIComponent(id)}`, {
      method: 'POST',
      body: '{"direct":true}',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });

    expect(response.status).toBe(200);
    expect(await frameOf(client, (f) => f.direct === true)).toEqual({ direct: true });
  });
});
