/**
 * One channel subscription: (re)subscribing with `since` on every open socket, catching up through history
 * pages, filling gaps, dropping stale leaderboard snapshots, and keeping presence views loaded.
 *
 * A sync is one subscribe plus the history pages its ack asks for. Each sync has a number; a reply that
 * arrives for an older sync (the socket was replaced meanwhile) is ignored, so a late ack can never apply
 * history over a newer position.
 *
 * @module
 */
import { Backoff, type BackoffPolicy } from './backoff.js';
import { isTransient, RealtimeError } from './errors.js';
import { PresenceView, type PresentClient } from './presence.js';
import {
  envelopesOf,
  isLeaderboardSnapshot,
  isPresenceMember,
  type LeaderboardSnapshot,
  type MessageEnvelope,
  type PresenceEvent,
  type TypedFrame,
} from './protocol.js';
import { ChannelStream } from './resume.js';

/** Why a channel's position was given up. */
export interface ResetInfo {
  readonly channel: string;
  /** The last seq delivered before the reset. */
  readonly lastSeq: number | undefined;
  /** The channel's latest seq on the server. */
  readonly seq: number;
  /**
   * `history-expired`: more was published while away than the server keeps (`recovered: false`);
   * `sequence-restarted`: the server's latest seq is below the last one delivered (the channel was reset).
   */
  readonly reason: 'history-expired' | 'sequence-restarted';
}

/** Options of `subscribe`. */
export interface SubscribeOptions<T = unknown> {
  /**
   * On the first subscribe: `true` for the history the server keeps, a number for at most that many
   * messages. Later re-subscribes always ask for what was missed (`since`), whatever this says.
   */
  readonly history?: boolean | number;
  /** Each message, once, in seq order. */
  readonly onMessage?: (message: MessageEnvelope<T>) => void;
  /** Each leaderboard snapshot of the board named like the channel, newer versions only. */
  readonly onLeaderboard?: (snapshot: LeaderboardSnapshot) => void;
  /**
   * Enter the channel's presence: appear in its member list and receive its `join`/`leave` events (sent as
   * `"presence": true` on every subscribe and re-subscribe). @default true when `onPresence` is given
   */
  readonly presence?: boolean;
  /** Each `join` or `leave` of a connection (needs `presence`, which it turns on by default). */
  readonly onPresence?: (event: PresenceEvent) => void;
  /**
   * The server no longer has every message since the last one delivered: reload the channel's state. The
   * messages that follow start from the oldest one the server kept.
   */
  readonly onReset?: (info: ResetInfo) => void;
  /** The subscription ended because the server refused a re-subscribe (e.g. `FORBIDDEN`). */
  readonly onError?: (error: RealtimeError) => void;
}

/** The handle `subscribe` resolves with. */
export interface Subscription {
  readonly channel: string;
  /** The seq of the last message delivered (or the starting point); undefined before the first ack. */
  readonly lastSeq: number | undefined;
  /** False once unsubscribed, closed or ended by an error. */
  readonly active: boolean;
  /** Same as `client.unsubscribe(channel)`. */
  unsubscribe(): Promise<void>;
  /**
   * Maintains who is in the channel, from a `presence` reply and the `join`/`leave` pushes, reloaded after
   * every re-subscribe. Resolves once the first reply is loaded.
   */
  trackPresence(onChange?: (members: readonly PresentClient[]) => void): Promise<PresenceView>;
}

/** A request the subscription sends, without its id. */
export type RequestFields = { readonly action: string } & Readonly<Record<string, unknown>>;

/** What a subscription needs from the client. */
export interface SubscriptionHost {
  /** Sends at once on the open socket; rejects with `DISCONNECTED` when there is none. */
  send(fields: RequestFields): Promise<TypedFrame>;
  /** Reports an error nobody awaits (the `error` event). */
  report(error: RealtimeError): void;
  unsubscribe(channel: string): Promise<void>;
  /** The subscription ended on its own (a refused re-subscribe): forget it. */
  remove(subscription: ChannelSubscription): void;
  readonly gapTimeoutMs: number;
  readonly retryPolicy: BackoffPolicy;
  readonly random: () => number;
}

const toRealtimeError = (error: unknown): RealtimeError =>
  error instanceof RealtimeError
    ? error
    : new RealtimeError('INTERNAL_ERROR', 'unexpected failure', { cause: error });

const seqOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The client's side of one subscribed channel. Only {@link Subscription} is public. */
export class ChannelSubscription implements Subscription {
  readonly channel: string;
  /** Resolves after the first sync; rejects if it fails. */
  readonly ready: Promise<Subscription>;
  readonly #options: SubscribeOptions;
  readonly #host: SubscriptionHost;
  readonly #stream: ChannelStream;
  readonly #retry: Backoff;
  readonly #views = new Set<PresenceView>();
  #settleReady: ((error?: RealtimeError) => void) | undefined;
  #active = true;
  #synced = false;
  #sync = 0;
  #syncing: Promise<void> | undefined;
  #boardVersion: number | undefined;
  #gapTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #filling = false;

  constructor(channel: string, options: SubscribeOptions, host: SubscriptionHost) {
    this.channel = channel;
    this.#options = options;
    this.#host = host;
    this.#retry = new Backoff(host.retryPolicy, host.random);
    this.#stream = new ChannelStream((message) => this.#notify(options.onMessage, message));
    this.ready = new Promise<Subscription>((resolve, reject) => {
      this.#settleReady = (error) => (error === undefined ? resolve(this) : reject(error));
    });
  }

  get lastSeq(): number | undefined {
    return this.#stream.lastSeq;
  }

  get active(): boolean {
    return this.#active;
  }

  /** The sync in progress, if any; it never rejects. */
  get pendingSync(): Promise<void> | undefined {
    return this.#syncing;
  }

  unsubscribe(): Promise<void> {
    return this.#host.unsubscribe(this.channel);
  }

  async trackPresence(onChange?: (members: readonly PresentClient[]) => void): Promise<PresenceView> {
    const view: PresenceView = new PresenceView({ onChange, onStop: () => this.#views.delete(view) });
    await this.ready;
    this.#views.add(view);
    try {
      await this.#loadPresence(view);
    } catch (error) {
      const failure = toRealtimeError(error);
      // Offline: the view is loaded after the next re-subscribe.
      view.cancelLoad();
      if (failure.code !== 'DISCONNECTED') {
        view.stop();
        throw failure;
      }
    }
    return view;
  }

  /** (Re)subscribes on the open socket and catches up; called on every open. */
  sync(): Promise<void> {
    const run = this.#runSync();
    this.#syncing = run;
    void run.finally(() => {
      if (this.#syncing === run) {
        this.#syncing = undefined;
      }
    });
    return run;
  }

  /** A live `message` frame of this channel. */
  receiveMessage(message: MessageEnvelope): void {
    if (!this.#active) {
      return;
    }
    const outcome = this.#stream.receive(message);
    if (outcome === 'gap') {
      this.#armGap();
    } else if (outcome === 'delivered' && this.#stream.heldCount === 0) {
      // The gap closed by itself.
      clearTimeout(this.#gapTimer);
      this.#gapTimer = undefined;
    }
  }

  /** A leaderboard snapshot of the board named like this channel; older or equal versions are dropped. */
  receiveLeaderboard(snapshot: LeaderboardSnapshot): void {
    if (!this.#active || (this.#boardVersion !== undefined && snapshot.version <= this.#boardVersion)) {
      return;
    }
    this.#boardVersion = snapshot.version;
    this.#notify(this.#options.onLeaderboard, {
      board: snapshot.board,
      version: snapshot.version,
      top: snapshot.top,
    });
  }

  /** A `join` or `leave` of this channel. */
  receivePresence(event: PresenceEvent): void {
    if (!this.#active) {
      return;
    }
    for (const view of this.#views) {
      view.apply(event);
    }
    this.#notify(this.#options.onPresence, event);
  }

  /** Stops everything; a pending first sync rejects with `error`. */
  end(error: RealtimeError): void {
    if (!this.#active) {
      return;
    }
    this.#active = false;
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#retryTimer);
    this.#views.clear();
    this.#settleReady?.(error);
    this.#settleReady = undefined;
  }

  async #runSync(): Promise<void> {
    if (!this.#active) {
      return;
    }
    this.#sync += 1;
    const sync = this.#sync;
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#retryTimer);
    this.#gapTimer = undefined;
    const epoch = this.#stream.beginSync();
    const resumeFrom = this.#stream.lastSeq;
    const fields: Record<string, unknown> = { action: 'subscribe', channel: this.channel };
    if (this.#options.presence ?? this.#options.onPresence !== undefined) fields.presence = true;
    if (resumeFrom !== undefined) {
      fields.since = resumeFrom;
    } else if (this.#options.history !== undefined && this.#options.history !== false) {
      fields.history = this.#options.history;
    }
    try {
      const ack = await this.#host.send(fields as RequestFields);
      if (this.#isStale(sync)) {
        return;
      }
      if (isLeaderboardSnapshot(ack.leaderboard)) {
        this.receiveLeaderboard(ack.leaderboard);
      }
      // A server that does not report seq gives no starting point; the first message then is one.
      const ackSeq = seqOf(ack.seq);
      const restarted = ackSeq !== undefined && resumeFrom !== undefined && ackSeq < resumeFrom;
      if (resumeFrom !== undefined && (ack.recovered === false || restarted)) {
        this.#reset(resumeFrom, ackSeq ?? 0, restarted ? 'sequence-restarted' : 'history-expired');
      }
      const caughtUp = await this.#catchUp(sync, ack, ackSeq);
      if (caughtUp === undefined) {
        return;
      }
      if (ackSeq !== undefined) {
        this.#stream.startAfter(ackSeq);
      }
      const gap = this.#stream.settle(caughtUp.latest, epoch, false);
      this.#retry.reset();
      this.#synced = true;
      this.#settleReady?.();
      this.#settleReady = undefined;
      if (gap) {
        this.#armGap();
      }
      for (const view of this.#views) {
        this.#loadPresence(view).catch((error: unknown) => this.#presenceFailed(view, error));
      }
    } catch (error) {
      if (!this.#isStale(sync)) {
        this.#syncFailed(toRealtimeError(error));
      }
    }
  }

  /**
   * Applies a reply's messages and pages through `history` while it says `more`.
   *
   * @returns the channel's latest seq per the last reply, or undefined if a newer sync took over.
   */
  async #catchUp(
    sync: number,
    first: TypedFrame,
    firstSeq: number | undefined,
  ): Promise<{ latest: number | undefined } | undefined> {
    let reply = first;
    let latest = firstSeq;
    let since: number | undefined;
    for (;;) {
      const messages = envelopesOf(reply.messages);
      this.#stream.applyHistory(messages);
      const top = messages.at(-1)?.seq;
      // Stop on a reply that makes no progress, so a misbehaving server cannot loop us forever.
      if (reply.more !== true || top === undefined || (since !== undefined && top <= since)) {
        return { latest };
      }
      since = top;
      reply = await this.#host.send({ action: 'history', channel: this.channel, since });
      if (this.#isStale(sync)) {
        return undefined;
      }
      latest = seqOf(reply.seq) ?? latest;
      if (reply.recovered === false) {
        this.#reset(this.#stream.lastSeq, latest ?? top, 'history-expired');
      }
    }
  }

  /** Reads history for a gap that did not close by itself; skips what history does not have either. */
  async #fill(): Promise<void> {
    const since = this.#stream.lastSeq;
    if (!this.#active || this.#stream.syncing || since === undefined || this.#stream.heldCount === 0) {
      return;
    }
    const sync = this.#sync;
    this.#filling = true;
    const epoch = this.#stream.beginFill();
    let retry = false;
    try {
      const reply = await this.#host.send({ action: 'history', channel: this.channel, since });
      if (this.#isStale(sync)) {
        return;
      }
      const replySeq = seqOf(reply.seq);
      if (reply.recovered === false) {
        this.#reset(since, replySeq ?? since, 'history-expired');
      }
      const caughtUp = await this.#catchUp(sync, reply, replySeq);
      if (caughtUp === undefined) {
        return;
      }
      if (caughtUp.latest !== undefined) {
        this.#stream.startAfter(caughtUp.latest);
      }
      retry = this.#stream.settle(caughtUp.latest ?? since, epoch, true);
    } catch (error) {
      const failure = toRealtimeError(error);
      if (this.#isStale(sync) || failure.code === 'DISCONNECTED' || failure.code === 'CLOSED') {
        return;
      }
      this.#host.report(failure);
      if (isTransient(failure.code)) {
        retry = true;
      } else {
        // History cannot be read (e.g. the server does not keep it): accept the gap rather than stall.
        this.#stream.releaseAll();
      }
    } finally {
      this.#filling = false;
    }
    if (retry) {
      this.#armGap();
    }
  }

  #armGap(): void {
    if (this.#gapTimer !== undefined || this.#filling || !this.#active) {
      return;
    }
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      void this.#fill();
    }, this.#host.gapTimeoutMs);
  }

  #syncFailed(error: RealtimeError): void {
    if (error.code === 'DISCONNECTED' || error.code === 'CLOSED') {
      // The next open re-syncs; close() has ended the subscription already.
      return;
    }
    if (!this.#synced) {
      this.#host.remove(this);
      this.end(error);
      return;
    }
    this.#host.report(error);
    if (isTransient(error.code)) {
      this.#retryTimer = setTimeout(() => void this.sync(), this.#retry.next());
      return;
    }
    this.#host.remove(this);
    this.end(error);
    this.#notify(this.#options.onError, error);
  }

  #reset(lastSeq: number | undefined, seq: number, reason: ResetInfo['reason']): void {
    this.#stream.forget();
    this.#notify(this.#options.onReset, { channel: this.channel, lastSeq, seq, reason });
  }

  async #loadPresence(view: PresenceView): Promise<void> {
    view.beginLoad();
    const reply = await this.#host.send({ action: 'presence', channel: this.channel });
    const members = Array.isArray(reply.members) ? reply.members.filter(isPresenceMember) : [];
    view.load(members);
  }

  #presenceFailed(view: PresenceView, error: unknown): void {
    const failure = toRealtimeError(error);
    view.cancelLoad();
    if (failure.code !== 'DISCONNECTED' && failure.code !== 'CLOSED') {
      this.#host.report(failure);
    }
  }

  #isStale(sync: number): boolean {
    return !this.#active || sync !== this.#sync;
  }

  #notify<A>(callback: ((arg: A) => void) | undefined, arg: A): void {
    if (callback === undefined) {
      return;
    }
    try {
      callback(arg);
    } catch (cause) {
      this.#host.report(
        new RealtimeError('LISTENER_ERROR', `a callback of channel ${this.channel} threw`, { cause }),
      );
    }
  }
}
