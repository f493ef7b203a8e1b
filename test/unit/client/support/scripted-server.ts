/**
 * An in-memory server that speaks the wire protocol over {@link FakeSocket}s: channels with a seq counter and
 * a bounded history, subscribe with `history`/`since`, history pages, publish fan-out, presence, ping. It
 * answers on a timer (`latencyMs`, default 0), as a real socket never answers synchronously. Tests drop,
 * delay and reorder on top of it.
 */
import type { MessageEnvelope, PresenceMember } from '../../../../client/index.js';
import type { FakeNetwork, FakeSocket, SentFrame } from './fake-websocket.js';

/** Limits of the {@link ScriptedServer}. */
export interface ScriptedServerOptions {
  /** Messages kept per channel. */
  readonly keep?: number;
  /** Most messages in one ack or history reply (then `more: true`). */
  readonly pageSize?: number;
  /** Open each new socket after this many ms; undefined leaves opening to the test. */
  readonly openAfterMs?: number;
  /** Delay of every reply. */
  readonly latencyMs?: number;
}

interface Channel {
  seq: number;
  kept: MessageEnvelope[];
}

/** Plays the server for every socket of a {@link FakeNetwork}. */
export class ScriptedServer {
  readonly channels = new Map<string, Channel>();
  readonly subscribers = new Map<string, Set<FakeSocket>>();
  /** Frames received, with the socket they came on, in order. */
  readonly received: { socket: FakeSocket; frame: SentFrame }[] = [];
  /** Set to false to stop answering `subscribe` (the test answers by hand). */
  answerSubscribes = true;
  readonly #options: ScriptedServerOptions;
  readonly #connectionIds = new Map<FakeSocket, string>();

  constructor(network: FakeNetwork, options: ScriptedServerOptions = {}) {
    this.#options = options;
    network.onSocket = (socket) => {
      this.#connectionIds.set(socket, `conn-${this.#connectionIds.size + 1}`);
      socket.onSend = (frame) => this.#handle(socket, frame);
      if (options.openAfterMs !== undefined) {
        setTimeout(() => socket.open(), options.openAfterMs);
      }
    };
  }

  /** The connection id the server gave a socket. */
  connectionId(socket: FakeSocket): string {
    return this.#connectionIds.get(socket) ?? 'unknown';
  }

  /** Publishes as another client would; returns the envelope (delivered to open subscribers at once). */
  publish(channel: string, data: unknown, deliver = true): MessageEnvelope {
    const state = this.#channel(channel);
    state.seq += 1;
    const message: MessageEnvelope = {
      type: 'message',
      channel,
      data,
      from: 'someone',
      author: { clientId: 'someone' },
      seq: state.seq,
      sentAt: Date.now(),
    };
    state.kept.push(message);
    const keep = this.#options.keep ?? Number.POSITIVE_INFINITY;
    while (state.kept.length > keep) {
      state.kept.shift();
    }
    if (deliver) {
      for (const socket of this.subscribers.get(channel) ?? []) {
        if (socket.readyState === 1) {
          socket.deliver(message);
        }
      }
    }
    return message;
  }

  /** The kept messages after `since`, as an ack or history page would carry them. */
  page(channel: string, since: number | undefined, limit?: number): Record<string, unknown> {
    const state = this.#channel(channel);
    const after = state.kept.filter((message) => since === undefined || message.seq > since);
    const size = Math.min(
      limit ?? Number.POSITIVE_INFINITY,
      this.#options.pageSize ?? Number.POSITIVE_INFINITY,
    );
    const oldest = state.kept[0]?.seq ?? state.seq + 1;
    const recovered = since === undefined || since >= state.seq || oldest <= since + 1;
    return {
      seq: state.seq,
      messages: after.slice(0, size),
      recovered,
      more: after.length > size,
    };
  }

  #channel(name: string): Channel {
    const state = this.channels.get(name) ?? { seq: 0, kept: [] };
    this.channels.set(name, state);
    return state;
  }

  #handle(socket: FakeSocket, frame: SentFrame): void {
    this.received.push({ socket, frame });
    const answer = (body: Record<string, unknown>): void => {
      setTimeout(() => {
        if (socket.readyState === 1) {
          socket.reply(frame, body);
        }
      }, this.#options.latencyMs ?? 0);
    };
    const channel = typeof frame.channel === 'string' ? frame.channel : '';
    switch (frame.action) {
      case 'subscribe': {
        if (!this.answerSubscribes) {
          return;
        }
        const members = this.subscribers.get(channel) ?? new Set();
        members.add(socket);
        this.subscribers.set(channel, members);
        const since = typeof frame.since === 'number' ? frame.since : undefined;
        const base = { type: 'subscribed', channel };
        if (since !== undefined) {
          answer({ ...base, ...this.page(channel, since) });
        } else if (frame.history !== undefined) {
          const { recovered: _recovered, ...page } = this.page(
            channel,
            undefined,
            typeof frame.history === 'number' ? frame.history : undefined,
          );
          answer({ ...base, ...page });
        } else {
          answer({ ...base, seq: this.#channel(channel).seq });
        }
        return;
      }
      case 'unsubscribe':
        this.subscribers.get(channel)?.delete(socket);
        answer({ type: 'unsubscribed', channel });
        return;
      case 'history': {
        const since = typeof frame.since === 'number' ? frame.since : undefined;
        const limit = typeof frame.limit === 'number' ? frame.limit : undefined;
        answer({ type: 'history', channel, ...this.page(channel, since, limit) });
        return;
      }
      case 'publish': {
        const message = this.publish(channel, frame.data, false);
        const targets = [...(this.subscribers.get(channel) ?? [])].filter((s) => s.readyState === 1);
        setTimeout(() => {
          for (const target of targets) {
            target.deliver(message);
          }
        }, this.#options.latencyMs ?? 0);
        answer({ type: 'published', channel, seq: message.seq, delivered: targets.length });
        return;
      }
      case 'presence': {
        const members: PresenceMember[] = [...(this.subscribers.get(channel) ?? [])]
          .filter((s) => s.readyState === 1)
          .map((s) => ({ clientId: 'me', connectionId: this.connectionId(s) }));
        answer({ type: 'presence', channel, members });
        return;
      }
      case 'ping':
        answer({ type: 'pong' });
        return;
      default:
        answer({ type: 'error', code: 'UNKNOWN_ACTION', message: `unknown action ${frame.action}` });
    }
  }
}
