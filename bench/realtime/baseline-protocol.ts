/**
 * The slice of the README protocol the in-process comparison servers speak — `sendmessage` to everyone,
 * `subscribe`/`unsubscribe` acks, `publish` with a per-channel `seq` and a `published` ack to the sender,
 * `ping`, and the `INVALID_JSON`/`UNKNOWN_ACTION` errors — over an in-memory peer and channel map.
 *
 * Only *how a frame reaches a set of recipients* is left to the server: the plain `ws` baseline writes it to
 * each socket, the floor hands it to relay threads that POST it back once per recipient. Replies to the
 * requester itself (acks, pong, errors) are always written directly.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';

/** One open connection as the protocol sees it. */
export interface Peer {
  readonly id: string;
  readonly socket: WebSocket;
  readonly channels: Set<string>;
}

/** The request that caused a fan-out, so a server can count fan-outs per route. */
export type FanOutRoute = 'sendmessage' | 'publish';

/**
 * Gets one frame to every recipient (all of them open when handed over) and returns how many it took on —
 * the `delivered` of a `published` ack. Called exactly once per `sendmessage` and per `publish`, even with no
 * recipient.
 */
export type FanOut = (route: FanOutRoute, recipients: readonly Peer[], frame: string) => number;

function frameOf(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function isOpen(peer: Peer): boolean {
  return peer.socket.readyState === peer.socket.OPEN;
}

/** The protocol's state and replies: one instance per server. */
export class BaselineProtocol {
  private readonly peers = new Map<string, Peer>();
  private readonly subscribers = new Map<string, Set<Peer>>();
  private readonly sequences = new Map<string, number>();

  constructor(private readonly fanOut: FanOut) {}

  /** Registers a newly opened socket under a fresh id. */
  connect(socket: WebSocket): Peer {
    const peer: Peer = { id: randomUUID(), socket, channels: new Set() };
    this.peers.set(peer.id, peer);
    return peer;
  }

  /** Forgets a closed peer and its subscriptions. */
  disconnect(peer: Peer): void {
    for (const channel of peer.channels) this.leave(peer, channel);
    this.peers.delete(peer.id);
  }

  /** The peer of a connection id, while it is registered. */
  peer(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  /** Answers one text frame of `peer`. */
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
      case 'sendmessage':
        this.fanOut('sendmessage', [...this.peers.values()].filter(isOpen), frameOf(request.data));
        return;
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
    const members = this.subscribers.get(channel);
    members?.delete(peer);
    if (members?.size === 0) this.subscribers.delete(channel);
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
    const members = [...(this.subscribers.get(channel) ?? [])].filter(isOpen);
    const delivered = this.fanOut('publish', members, frame);
    sender.socket.send(JSON.stringify({ type: 'published', channel, seq, delivered }));
  }
}
