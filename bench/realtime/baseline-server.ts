/**
 * The physical baseline: a plain `ws` server in the benchmark's own process that speaks just enough of the
 * README protocol (`sendmessage` to everyone, `subscribe`/`unsubscribe`/`publish` over an in-memory channel
 * map) to run the same fleet and the same messages as the offline runtime — with no Lambda, no DynamoDB and
 * no Management API hop in between.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A running baseline server. */
export interface BaselineServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections currently open on the server side. */
  openConnections(): number;
  /** Terminates every connection and stops listening. */
  close(): Promise<void>;
}

interface Peer {
  readonly id: string;
  readonly socket: WebSocket;
  readonly channels: Set<string>;
}

function frameOf(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** The protocol's reply side: one instance per server, holding the channel map and the per-channel sequence. */
class BaselineProtocol {
  private readonly subscribers = new Map<string, Set<Peer>>();
  private readonly sequences = new Map<string, number>();

  constructor(private readonly everyone: () => Iterable<WebSocket>) {}

  handle(peer: Peer, text: string): void {
    let request: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) throw new TypeError('not an object');
      request = parsed as Record<string, unknown>;
    } catch {
      peer.socket.send(JSON.stringify({ type: 'error', code: 'INVALID_JSON', message: 'not a JSON object' }));
      return;
    }
    const channel = typeof request.channel === 'string' ? request.channel : '';
    switch (request.action) {
      case 'sendmessage': {
        const frame = frameOf(request.data);
        for (const socket of this.everyone()) if (socket.readyState === socket.OPEN) socket.send(frame);
        return;
      }
      case 'subscribe':
        this.join(peer, channel);
        peer.socket.send(JSON.stringify({ type: 'subscribed', channel }));
        return;
      case 'unsubscribe':
        this.leave(peer, channel);
        peer.socket.send(JSON.stringify({ type: 'unsubscribed', channel }));
        return;
      case 'publish':
        this.publish(peer, channel, request.data);
        return;
      case 'ping':
        peer.socket.send(JSON.stringify({ type: 'pong' }));
        return;
      default:
        peer.socket.send(
          JSON.stringify({ type: 'error', code: 'UNKNOWN_ACTION', message: 'unknown action' }),
        );
    }
  }

  forget(peer: Peer): void {
    for (const channel of peer.channels) this.leave(peer, channel);
  }

  private join(peer: Peer, channel: string): void {
    let members = this.subscribers.get(channel);
    if (members === undefined) {
      members = new Set();
      this.subscribers.set(channel, members);
    }
    members.add(peer);
    peer.channels.add(channel);
  }

  private leave(peer: Peer, channel: string): void {
    this.subscribers.get(channel)?.delete(peer);
    peer.channels.delete(channel);
  }

  private publish(sender: Peer, channel: string, data: unknown): void {
    const seq = (this.sequences.get(channel) ?? 0) + 1;
    this.sequences.set(channel, seq);
    const frame = JSON.stringify({
      type: 'message',
      channel,
      data,
      from: sender.id,
      seq,
      sentAt: Date.now(),
    });
    let delivered = 0;
    for (const member of this.subscribers.get(channel) ?? []) {
      if (member.socket.readyState !== member.socket.OPEN) continue;
      member.socket.send(frame);
      delivered += 1;
    }
    sender.socket.send(JSON.stringify({ type: 'published', channel, seq, delivered }));
  }
}

/** Starts the baseline on a random free port of 127.0.0.1. */
export async function startBaselineServer(): Promise<BaselineServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const protocol = new BaselineProtocol(() => server.clients);
  server.on('connection', (socket) => {
    const peer: Peer = { id: randomUUID(), socket, channels: new Set() };
    socket.on('message', (data, isBinary) => {
      if (!isBinary) protocol.handle(peer, data.toString());
    });
    socket.on('close', () => protocol.forget(peer));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    openConnections: () => server.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}
