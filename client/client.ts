/**
 * The client: typed requests with correlated acks, subscriptions that resume without gaps or duplicates,
 * and the events an application listens to. Sockets are {@link Connection}'s business; this module decides
 * what happens on each open, frame and drop.
 *
 * @module
 */
import { Backoff } from './backoff.js';
import { Channels } from './channels.js';
import { Connection, type ConnectionState, type StateInfo } from './connection.js';
import { Emitter } from './emitter.js';
import { gatewayError, RealtimeError } from './errors.js';
import { type ClientOptions, DEFAULTS, type ResolvedOptions, resolveOptions } from './options.js';
import {
  type DirectMessage,
  decodeFrame,
  fitsInFrame,
  frameBytes,
  isDirectMessage,
  MAX_FRAME_BYTES,
  type PresenceMember,
  type TypedFrame,
} from './protocol.js';
import {
  type HistoryOptions,
  type HistoryResult,
  historyResult,
  type PublishResult,
  presenceMembers,
  publishResult,
  type ScoreResult,
  type SendToUserResult,
  scoreResult,
  sendToUserResult,
  type TopResult,
  topResult,
} from './replies.js';
import { type PendingRequest, RequestTracker } from './requests.js';
import type { RequestFields, SubscribeOptions, Subscription } from './subscription.js';

/** The events of a {@link RealtimeClient} and their arguments. */
export type ClientEvents = {
  /** The connection state changed. */
  state: [state: ConnectionState, info: StateInfo];
  /**
   * An error nobody awaits: an error frame without a matching request, an API Gateway error frame, a
   * failed re-subscribe or gap fill, a callback that threw, a failed connection attempt.
   */
  error: [error: RealtimeError];
  /** A message sent to this client's user (`sendtouser` from another connection, or the backend). */
  direct: [message: DirectMessage];
  /** A frame that is not one of the protocol's: not JSON, or JSON of no known `type` (`sendmessage`). */
  raw: [data: unknown];
};

interface SubmitOptions {
  /** Queue while offline (default) or fail at once with `DISCONNECTED`. */
  readonly queue?: boolean;
  /** Wait for an ack (default), or resolve once written (`sendmessage` has no ack). */
  readonly ack?: boolean;
}

/**
 * A connection to the realtime API that stays connected. Create it with {@link connect}.
 *
 * @example
 * const client = connect('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { clientId: 'c1', name: 'Ann' });
 * await client.subscribe('lobby', { history: true, onMessage: (m) => console.log(m.seq, m.data) });
 * await client.publish('lobby', { text: 'hi' });
 */
export class RealtimeClient {
  readonly #options: ResolvedOptions;
  readonly #events: Emitter<ClientEvents>;
  readonly #requests: RequestTracker;
  readonly #connection: Connection;
  readonly #channels: Channels;
  readonly #retiring = new Set<number>();
  #closed = false;

  /** @throws {TypeError} on an invalid URL or option (see {@link ClientOptions}). */
  constructor(url: string, options: ClientOptions = {}) {
    this.#options = resolveOptions(url, options);
    const { reconnect, requestTimeoutMs, random } = this.#options;
    this.#events = new Emitter<ClientEvents>((cause, event) => {
      if (event !== 'error') {
        this.#report(new RealtimeError('LISTENER_ERROR', `a '${String(event)}' listener threw`, { cause }));
      }
    });
    this.#requests = new RequestTracker({ timeoutMs: requestTimeoutMs, maxQueued: this.#options.maxQueued });
    const policy = reconnect === false ? DEFAULTS.reconnect : reconnect;
    this.#channels = new Channels({
      send: (fields) => this.#submit(fields, { queue: false }),
      isOpen: () => this.#connection.activeSession !== undefined,
      report: (error) => this.#report(error),
      gapTimeoutMs: this.#options.gapTimeoutMs,
      retryPolicy: policy,
      random,
    });
    this.#connection = new Connection(
      {
        url: this.#options.url,
        WebSocket: this.#options.WebSocket,
        clientId: this.#options.clientId,
        name: this.#options.name,
        token: this.#options.token,
        tokenTransport: this.#options.tokenTransport,
        backoff: new Backoff(policy, random),
        reconnect: reconnect !== false,
        stableAfterMs: policy.stableAfterMs,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        maxConnectionMs: this.#options.maxConnectionMs,
        drainTimeoutMs: requestTimeoutMs > 0 ? 2 * requestTimeoutMs : 30_000,
      },
      {
        open: (_session, replaced) => this.#onOpen(replaced),
        state: (state, info) => this.#onState(state, info),
        frame: (data, session) => this.#onFrame(data, session),
        closed: (session) => this.#onSocketGone(session),
        idle: () => this.#heartbeat(),
        error: (error) => this.#report(error),
      },
    );
    this.#connection.start();
  }

  /** `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): ConnectionState {
    return this.#connection.state;
  }

  /**
   * Adds a listener; returns the function that removes it.
   *
   * @example
   * const off = client.on('state', (state, info) => console.log(state, info.retryInMs));
   */
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** The subscription to `channel`, if any. */
  subscription(channel: string): Subscription | undefined {
    return this.#channels.get(channel);
  }

  /**
   * Subscribes to a channel. While not connected the subscription waits for the connection (it does not
   * count against the offline queue). Resolves once the first ack, and the history it asked for, are
   * delivered. After every reconnect the channel is re-subscribed with `since` = the last seq delivered, so
   * messages keep coming once each and in order.
   *
   * @throws {RealtimeError} `ALREADY_SUBSCRIBED`, `CLOSED`, or the server's code (e.g. `INVALID_CHANNEL`).
   * @example
   * const sub = await client.subscribe('lobby', { history: 50, onMessage: (m) => render(m) });
   * await sub.unsubscribe();
   */
  subscribe<T = unknown>(channel: string, options: SubscribeOptions<T> = {}): Promise<Subscription> {
    if (this.#closed) {
      return Promise.reject(new RealtimeError('CLOSED', 'the client is closed'));
    }
    return this.#channels.add(channel, options as SubscribeOptions);
  }

  /**
   * Stops delivery at once and tells the server. Resolves also when the connection is down (the server
   * drops a connection's subscriptions with it). Does nothing for a channel not subscribed.
   */
  unsubscribe(channel: string): Promise<void> {
    return this.#channels.remove(channel);
  }

  /**
   * Publishes `data` (any JSON value) to a channel's subscribers.
   *
   * @throws {RealtimeError} `FRAME_TOO_LARGE`, `QUEUE_FULL`, `DISCONNECTED` (sent but the connection dropped
   *   before the ack: it may or may not have been published), `TIMEOUT`, `CLOSED`, or the server's code.
   */
  async publish(channel: string, data: unknown): Promise<PublishResult> {
    if (data === undefined) {
      throw new RealtimeError('INVALID_REQUEST', 'data is required (undefined is not JSON)');
    }
    return publishResult(await this.#submit({ action: 'publish', channel, data }));
  }

  /**
   * Sends `data` (any JSON value) to every open connection of a user; they receive it as a `direct` event.
   *
   * @throws {RealtimeError} as {@link publish}, and `FORBIDDEN` when the server's grants refuse it.
   * @example
   * const { delivered } = await client.sendToUser('alice', { text: 'hi' });
   */
  async sendToUser(user: string, data: unknown): Promise<SendToUserResult> {
    if (data === undefined) {
      throw new RealtimeError('INVALID_REQUEST', 'data is required (undefined is not JSON)');
    }
    return sendToUserResult(await this.#submit({ action: 'sendtouser', user, data }), user);
  }

  /** Adds `points` (an integer, may be negative) to a player's score on a board. */
  async score(board: string, player: string, points: number): Promise<ScoreResult> {
    if (!Number.isSafeInteger(points)) {
      throw new RealtimeError('INVALID_REQUEST', `points must be an integer, got ${points}`);
    }
    return scoreResult(await this.#submit({ action: 'score', board, player, points }), board, player);
  }

  /** The top `limit` entries of a board (the server's default when omitted). */
  async top(board: string, limit?: number): Promise<TopResult> {
    const fields = limit === undefined ? { action: 'top', board } : { action: 'top', board, limit };
    return topResult(await this.#submit(fields), board);
  }

  /** The connections subscribed to a channel (one entry per connection). */
  async presence(channel: string): Promise<PresenceMember[]> {
    return presenceMembers(await this.#submit({ action: 'presence', channel }));
  }

  /** Reads a channel's kept history, oldest first. Does not affect subscriptions. */
  async history<T = unknown>(channel: string, options: HistoryOptions = {}): Promise<HistoryResult<T>> {
    return historyResult(await this.#submit({ action: 'history', channel, ...options }), channel);
  }

  /** Sends `{"action":"ping"}` and resolves with the round trip in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.#submit({ action: 'ping' });
    return Date.now() - started;
  }

  /**
   * Sends `data` to every open connection with the `sendmessage` action. There is no ack: resolves once the
   * frame is written. Receivers get `data` as a raw frame (the `raw` event).
   */
  broadcast(data: unknown): Promise<void> {
    return this.#submit({ action: 'sendmessage', data }, { ack: false }).then(() => undefined);
  }

  /**
   * Sends any action and resolves with the reply frame: the way to use a server action this client does not
   * know yet. An `id` is added.
   */
  request(action: string, fields: Readonly<Record<string, unknown>> = {}): Promise<TypedFrame> {
    return this.#submit({ ...fields, action });
  }

  /**
   * Closes the connection for good: state `closed`, no reconnect, every pending or queued request and every
   * pending subscribe rejected with `CLOSED`. Idempotent.
   */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#connection.close();
    this.#failEverything('CLOSED', 'the client was closed');
  }

  #submit(fields: RequestFields, options: SubmitOptions = {}): Promise<TypedFrame> {
    if (this.#closed) {
      return Promise.reject(new RealtimeError('CLOSED', `${fields.action}: the client is closed`));
    }
    const id = this.#requests.nextId();
    const text = JSON.stringify({ ...fields, id });
    if (!fitsInFrame(text)) {
      return Promise.reject(
        new RealtimeError(
          'FRAME_TOO_LARGE',
          `${fields.action} frame would be ${frameBytes(text)} bytes; API Gateway closes the connection over ${MAX_FRAME_BYTES}`,
          { requestId: id },
        ),
      );
    }
    const { entry, promise } = this.#requests.create(fields.action, text, id, options.ack ?? true);
    if (this.#connection.activeSession !== undefined) {
      this.#write(entry);
    } else if (options.queue === false) {
      entry.reject(new RealtimeError('DISCONNECTED', `${fields.action}: not connected`, { requestId: id }));
    } else {
      const refusal = this.#requests.enqueue(entry);
      if (refusal !== undefined) {
        entry.reject(refusal);
      }
    }
    return promise;
  }

  #write(entry: PendingRequest): void {
    let session: number;
    try {
      session = this.#connection.send(entry.text);
    } catch (cause) {
      entry.reject(
        new RealtimeError('DISCONNECTED', `${entry.action}: the socket refused the frame`, {
          requestId: entry.id,
          cause,
        }),
      );
      return;
    }
    if (entry.ack) {
      this.#requests.sent(entry, session);
    } else {
      entry.resolve({ type: 'sent', id: entry.id });
    }
  }

  #onOpen(replaced: number | undefined): void {
    // Re-subscribe first, then send what was queued, in order.
    const synced = this.#channels.syncAll();
    for (const entry of this.#requests.takeQueued()) {
      this.#write(entry);
    }
    if (replaced !== undefined) {
      // Make-before-break: keep the old socket until every channel has caught up on the new one.
      this.#retiring.add(replaced);
      void synced.then(() => this.#retireIfIdle(replaced));
    }
  }

  #retireIfIdle(session: number): void {
    if (this.#retiring.has(session) && this.#requests.inFlightOn(session) === 0) {
      this.#retiring.delete(session);
      this.#connection.retire(session);
    }
  }

  #onState(state: ConnectionState, info: StateInfo): void {
    if (state === 'closed' && !this.#closed) {
      // Reconnect is off and the socket dropped.
      this.#closed = true;
      this.#failEverything('DISCONNECTED', 'the connection closed and reconnect is off');
    }
    this.#events.emit('state', state, info);
  }

  #onSocketGone(session: number): void {
    this.#retiring.delete(session);
    this.#requests.failSession(session, 'DISCONNECTED', 'the connection closed before the reply');
  }

  #onFrame(data: unknown, session: number): void {
    const incoming = decodeFrame(data);
    if (incoming.kind === 'raw') {
      this.#events.emit('raw', data);
      return;
    }
    if (incoming.kind === 'gateway') {
      this.#report(gatewayError(incoming.frame));
      return;
    }
    const frame = incoming.frame;
    if (this.#requests.settle(frame)) {
      if (this.#retiring.has(session)) {
        this.#retireIfIdle(session);
      }
      return;
    }
    this.#dispatchPush(frame, data);
  }

  #dispatchPush(frame: TypedFrame, data: unknown): void {
    if (this.#channels.route(frame)) {
      return;
    }
    switch (frame.type) {
      case 'error': {
        const code = typeof frame.code === 'string' ? frame.code : 'INTERNAL_ERROR';
        const message = typeof frame.message === 'string' ? frame.message : code;
        this.#report(new RealtimeError(code, message, { requestId: frame.id, frame }));
        return;
      }
      case 'subscribed':
      case 'unsubscribed':
      case 'published':
      case 'history':
      case 'scored':
      case 'presence':
      case 'sent':
      case 'pong':
        // A late reply to a request that already timed out.
        return;
      case 'direct':
        if (isDirectMessage(frame)) {
          this.#events.emit('direct', frame);
        } else {
          this.#events.emit('raw', data);
        }
        return;
      default:
        this.#events.emit('raw', data);
    }
  }

  #heartbeat(): void {
    const session = this.#connection.activeSession;
    this.#submit({ action: 'ping' }, { queue: false }).catch((error: unknown) => {
      // No pong: the socket is half-open (the network went away without a close). Replace it.
      if (
        error instanceof RealtimeError &&
        error.code === 'TIMEOUT' &&
        session !== undefined &&
        this.#connection.activeSession === session
      ) {
        this.#connection.restart('heartbeat timeout');
      }
    });
  }

  #failEverything(code: 'CLOSED' | 'DISCONNECTED', message: string): void {
    this.#requests.failAll(code, message);
    this.#channels.endAll((channel) => new RealtimeError(code, `${channel}: ${message}`));
    this.#retiring.clear();
  }

  #report(error: RealtimeError): void {
    this.#events.emit('error', error);
  }
}

/**
 * Connects to the realtime API and keeps the connection up until {@link RealtimeClient.close}.
 *
 * @param url - the stage's `wss://` URL; it may already have a query string.
 * @throws {TypeError} on an invalid URL or option, or when there is no WebSocket (pass `ws` in Node 20).
 * @example
 * // Node 20
 * import WebSocket from 'ws';
 * const client = connect('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { WebSocket, clientId: 'c1' });
 * @example
 * // Browser
 * const client = connect('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { clientId: 'c1', name: 'Ann' });
 */
export const connect = (url: string, options: ClientOptions = {}): RealtimeClient =>
  new RealtimeClient(url, options);
