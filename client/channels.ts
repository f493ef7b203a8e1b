/**
 * The client's subscriptions, by channel: adding and removing them in an order the server cannot mix up,
 * re-syncing all of them on every open, and routing each push (`message`, `leaderboard`, `join`, `leave`)
 * to the subscription it belongs to.
 *
 * @module
 */
import type { BackoffPolicy } from './backoff.js';
import { RealtimeError } from './errors.js';
import { isLeaderboardSnapshot, isMessageEnvelope, isPresenceEvent, type TypedFrame } from './protocol.js';
import {
  ChannelSubscription,
  type RequestFields,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHost,
} from './subscription.js';

/** What the registry needs from the client. */
export interface ChannelsPort {
  /** Sends at once on the open socket; rejects with `DISCONNECTED` when there is none. */
  send(fields: RequestFields): Promise<TypedFrame>;
  /** Whether a socket is open. */
  isOpen(): boolean;
  /** Reports an error nobody awaits. */
  report(error: RealtimeError): void;
  readonly gapTimeoutMs: number;
  readonly retryPolicy: BackoffPolicy;
  readonly random: () => number;
}

const validHistory = (history: unknown): boolean =>
  history === undefined ||
  typeof history === 'boolean' ||
  (typeof history === 'number' && Number.isInteger(history) && history > 0);

/** Every subscription of one client. */
export class Channels {
  readonly #port: ChannelsPort;
  readonly #host: SubscriptionHost;
  readonly #subscriptions = new Map<string, ChannelSubscription>();
  readonly #unsubscribing = new Map<string, Promise<void>>();

  constructor(port: ChannelsPort) {
    this.#port = port;
    this.#host = {
      send: (fields) => port.send(fields),
      report: (error) => port.report(error),
      unsubscribe: (channel) => this.remove(channel),
      remove: (subscription) => {
        if (this.#subscriptions.get(subscription.channel) === subscription) {
          this.#subscriptions.delete(subscription.channel);
        }
      },
      gapTimeoutMs: port.gapTimeoutMs,
      retryPolicy: port.retryPolicy,
      random: port.random,
    };
  }

  /** The subscription to `channel`, if any. */
  get(channel: string): Subscription | undefined {
    return this.#subscriptions.get(channel);
  }

  /**
   * Adds a subscription and, if a socket is open, subscribes at once (otherwise on the next open).
   * Resolves after its first sync.
   */
  add(channel: string, options: SubscribeOptions): Promise<Subscription> {
    if (typeof channel !== 'string' || channel === '') {
      return Promise.reject(new RealtimeError('INVALID_CHANNEL', 'channel must be a non-empty string'));
    }
    if (!validHistory(options.history)) {
      return Promise.reject(
        new RealtimeError(
          'INVALID_REQUEST',
          `history must be a boolean or a positive integer, got ${String(options.history)}`,
        ),
      );
    }
    if (this.#subscriptions.has(channel)) {
      return Promise.reject(new RealtimeError('ALREADY_SUBSCRIBED', `already subscribed to ${channel}`));
    }
    const subscription = new ChannelSubscription(channel, options, this.#host);
    this.#subscriptions.set(channel, subscription);
    if (this.#port.isOpen()) {
      void this.#sync(subscription);
    }
    return subscription.ready;
  }

  /**
   * Ends a subscription at once and tells the server. Resolves also when the connection is down or drops
   * before the ack: the server drops a connection's subscriptions with it.
   */
  async remove(channel: string): Promise<void> {
    const subscription = this.#subscriptions.get(channel);
    if (subscription === undefined) {
      return;
    }
    this.#subscriptions.delete(channel);
    const inFlight = subscription.pendingSync;
    subscription.end(new RealtimeError('UNSUBSCRIBED', `unsubscribed from ${channel} before the ack`));
    if (!this.#port.isOpen()) {
      return;
    }
    const done = (async () => {
      // API Gateway runs the frames of one connection concurrently: an unsubscribe sent while the subscribe
      // is in flight could be applied first, leaving the connection subscribed.
      await inFlight;
      try {
        await this.#port.send({ action: 'unsubscribe', channel });
      } catch (error) {
        if (!(error instanceof RealtimeError && error.code === 'DISCONNECTED')) {
          throw error;
        }
      }
    })();
    this.#unsubscribing.set(channel, done);
    try {
      await done;
    } finally {
      if (this.#unsubscribing.get(channel) === done) {
        this.#unsubscribing.delete(channel);
      }
    }
  }

  /** Re-subscribes every channel on the socket that just opened; settles when all have caught up. */
  syncAll(): Promise<void> {
    return Promise.allSettled([...this.#subscriptions.values()].map((s) => this.#sync(s))).then(
      () => undefined,
    );
  }

  /**
   * Hands a push to its subscription.
   *
   * @returns false when the frame is not a push (the caller decides what it is).
   */
  route(frame: TypedFrame): boolean {
    switch (frame.type) {
      case 'message':
        if (!isMessageEnvelope(frame)) {
          return false;
        }
        this.#subscriptions.get(frame.channel)?.receiveMessage(frame);
        return true;
      case 'leaderboard':
        // A late reply to `top` has this type too, but carries an id; pushes have none.
        if (frame.id === undefined && isLeaderboardSnapshot(frame)) {
          this.#subscriptions.get(frame.board)?.receiveLeaderboard(frame);
        }
        return true;
      case 'join':
      case 'leave':
        if (!isPresenceEvent(frame)) {
          return false;
        }
        this.#subscriptions.get(frame.channel)?.receivePresence(frame);
        return true;
      default:
        return false;
    }
  }

  /** Ends every subscription with `error` (close, or a drop with reconnect off). */
  endAll(error: (channel: string) => RealtimeError): void {
    for (const subscription of this.#subscriptions.values()) {
      subscription.end(error(subscription.channel));
    }
    this.#subscriptions.clear();
  }

  async #sync(subscription: ChannelSubscription): Promise<void> {
    const unsubscribing = this.#unsubscribing.get(subscription.channel);
    if (unsubscribing !== undefined) {
      await unsubscribing.catch(() => undefined);
    }
    await subscription.sync();
  }
}
