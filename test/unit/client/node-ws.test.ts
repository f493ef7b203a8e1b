/**
 * The client in Node 20 with the real `ws` package: the `WebSocket` option takes `ws`'s default export,
 * against a tiny `ws` server on 127.0.0.1 that answers subscribe and publish like the API does.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, type MessageEnvelope, type RealtimeClient } from '../../../client/index.js';

let server: WebSocketServer | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  client?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  client = undefined;
});

/** A server that keeps one channel's subscribers and answers subscribe/publish; returns its URL. */
const startServer = async (): Promise<{ url: string; queries: string[] }> => {
  const subscribers = new Map<string, Set<WebSocket>>();
  const queries: string[] = [];
  let seq = 0;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket, request) => {
    queries.push(request.url ?? '');
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as {
        action: string;
        channel: string;
        data?: unknown;
        id?: string;
      };
      if (frame.action === 'subscribe') {
        const set = subscribers.get(frame.channel) ?? new Set();
        set.add(socket);
        subscribers.set(frame.channel, set);
        socket.send(JSON.stringify({ type: 'subscribed', channel: frame.channel, seq, id: frame.id }));
      } else if (frame.action === 'publish') {
        seq += 1;
        const envelope = {
          type: 'message',
          channel: frame.channel,
          data: frame.data,
          from: 'conn-1',
          author: { clientId: 'c1', name: 'Alice' },
          seq,
          sentAt: Date.now(),
        };
        const targets = [...(subscribers.get(frame.channel) ?? [])];
        socket.send(
          JSON.stringify({
            type: 'published',
            channel: frame.channel,
            seq,
            delivered: targets.length,
            id: frame.id,
          }),
        );
        for (const target of targets) {
          target.send(JSON.stringify(envelope));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/prod`, queries };
};

describe('client in Node with ws', () => {
  it('connects with the ws constructor, subscribes, publishes and receives its own message', async () => {
    // Prepare
    const { url, queries } = await startServer();
    client = connect(url, { WebSocket, clientId: 'c1', name: 'Alice' });
    const received: MessageEnvelope[] = [];
    const arrived = new Promise<void>((resolve) => {
      void client
        ?.subscribe('lobby', {
          onMessage: (message) => {
            received.push(message);
            resolve();
          },
        })
        .then(() => client?.publish('lobby', { text: 'hi' }))
        .then((ack) => expect(ack).toEqual({ seq: 1, delivered: 1 }));
    });

    // Act
    await arrived;

    // Assess
    expect(client.state).toBe('open');
    expect(queries).toEqual(['/prod?clientId=c1&name=Alice']);
    expect(received).toMatchObject([
      {
        type: 'message',
        channel: 'lobby',
        data: { text: 'hi' },
        seq: 1,
        author: { clientId: 'c1', name: 'Alice' },
      },
    ]);
  });
});
