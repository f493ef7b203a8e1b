/**
 * The socket's life: dialing, the state machine, reconnecting with backoff, the application heartbeat, and
 * the proactive reconnect before API Gateway's 2-hour limit.
 *
 * The proactive reconnect is make-before-break: a second socket is opened while the first one still
 * delivers, the first one is retired once the client says it has caught up (or after a drain timeout). The
 * state stays `open` throughout. Everything about requests and channels lives in the client; this module
 * only knows sockets, which it numbers as sessions so the client can tell which socket a frame came from.
 *
 * @module
 */
import type { Backoff } from './backoff.js';
import { RealtimeError } from './errors.js';

/** Where the client is: `connecting` (first attempt), `open`, `reconnecting` (after a drop or a failed attempt), `closed`. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The fields of the socket events the client reads: `data` of `message`, `code` and `reason` of `close`. */
export interface SocketEvent {
  /** Every event has it; listed so that `ws`'s and the DOM's event types are assignable. */
  readonly type?: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/**
 * What the client needs of a WebSocket: the browser's `WebSocket` and the `ws` package's both fit.
 * Text frames must arrive as strings in `data`, which both do.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEvent) => void,
  ): void;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s default export in Node 20. The second
 * argument (subprotocols) is passed only with `tokenTransport: 'subprotocol'`.
 */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/** Where the token travels: the `token` query parameter, or `Sec-WebSocket-Protocol: realtime, bearer.<jwt>`. */
export type TokenTransport = 'query' | 'subprotocol';

/** The subprotocol the server answers when the token came as `bearer.<jwt>`. */
export const REALTIME_SUBPROTOCOL = 'realtime';

/** A JWT, or a function that returns a fresh one for each connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

/** Details of a state change. */
export interface StateInfo {
  readonly previous: ConnectionState;
  /** Close code of the socket whose loss caused the change (1006 when it closed without one). */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** When entering `reconnecting`: the delay before the next attempt. */
  readonly retryInMs?: number;
}

/** What the connection needs to know; the client fills it from its resolved options. */
export interface ConnectionSettings {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly clientId: string | undefined;
  readonly name: string | undefined;
  readonly token: TokenSource | undefined;
  readonly tokenTransport: TokenTransport;
  readonly backoff: Backoff;
  readonly reconnect: boolean;
  readonly stableAfterMs: number;
  readonly connectTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxConnectionMs: number;
  readonly drainTimeoutMs: number;
}

/** How the connection reports to the client. */
export interface ConnectionHooks {
  /** A socket opened and is now the one requests go to; `replaced` is the open socket it replaces, if any. */
  open(session: number, replaced: number | undefined): void;
  /** The state changed; called after `open` so the client has re-subscribed by the time listeners run. */
  state(state: ConnectionState, info: StateInfo): void;
  /** A frame arrived on an open socket (the active one or one being retired). */
  frame(data: unknown, session: number): void;
  /** A socket that had opened is gone: its unanswered requests will never be answered. */
  closed(session: number): void;
  /** Nothing was sent for `heartbeatIntervalMs`. */
  idle(): void;
  /** A connection attempt failed before a socket existed. */
  error(error: RealtimeError): void;
}

interface Session {
  readonly id: number;
  readonly socket: WebSocketLike;
  openedAt: number | undefined;
  ended: boolean;
}

/** Close code the client uses for sockets it abandons itself (heartbeat lost, connect timeout). */
export const CLIENT_ABANDON_CODE = 4000;

/**
 * Appends the client's query parameters to the connect URL, which may already have a query string.
 * Values are percent-encoded (`%20`, never `+`, which API Gateway would pass on literally).
 *
 * @example
 * buildUrl('wss://x/prod?v=2', { clientId: 'c1', name: 'Ann B' }); // 'wss://x/prod?v=2&clientId=c1&name=Ann%20B'
 */
export const buildUrl = (base: string, params: Readonly<Record<string, string | undefined>>): string => {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  if (query === '') {
    return base;
  }
  if (!base.includes('?')) {
    return `${base}?${query}`;
  }
  return base.endsWith('?') || base.endsWith('&') ? `${base}${query}` : `${base}&${query}`;
};

/**
 * Keeps one socket open for the client, reopening it with backoff when it drops and replacing it before
 * API Gateway's maximum connection duration.
 */
export class Connection {
  readonly #settings: ConnectionSettings;
  readonly #hooks: ConnectionHooks;
  #state: ConnectionState = 'connecting';
  #active: Session | undefined;
  #opening: Session | undefined;
  #dialing = false;
  readonly #draining = new Map<Session, ReturnType<typeof setTimeout>>();
  #nextSession = 0;
  #lastSentAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #rotateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(settings: ConnectionSettings, hooks: ConnectionHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The session requests are sent on, if a socket is open. */
  get activeSession(): number | undefined {
    return this.#active?.id;
  }

  /** Opens the first socket. */
  start(): void {
    this.#dial();
  }

  /**
   * Sends a frame on the active socket and returns its session.
   *
   * @throws {RealtimeError} `DISCONNECTED` when no socket is open.
   */
  send(text: string): number {
    const session = this.#active;
    if (session === undefined) {
      throw new RealtimeError('DISCONNECTED', 'no open connection');
    }
    session.socket.send(text);
    this.#lastSentAt = Date.now();
    return session.id;
  }

  /** Closes a socket that a proactive reconnect replaced, once nothing more is expected on it. */
  retire(sessionId: number): void {
    for (const [session, timer] of this.#draining) {
      if (session.id === sessionId) {
        clearTimeout(timer);
        // #onClose forgets it and reports it closed, so its unanswered requests are rejected at once.
        this.#abandon(session, 1000, 'replaced');
      }
    }
  }

  /** Gives up on the active socket (it stopped answering) and reconnects. */
  restart(reason: string): void {
    const session = this.#active;
    if (session !== undefined) {
      this.#abandon(session, CLIENT_ABANDON_CODE, reason);
    }
  }

  /** Closes every socket for good; no reconnect follows. */
  close(): void {
    this.#shutDown({ previous: this.#state });
  }

  #setState(state: ConnectionState, info: StateInfo): void {
    if (this.#state === state) {
      return;
    }
    this.#state = state;
    this.#hooks.state(state, info);
  }

  #dial(): void {
    this.#retryTimer = undefined;
    if (this.#state === 'closed' || this.#opening !== undefined || this.#dialing) {
      return;
    }
    const token = this.#settings.token;
    if (typeof token !== 'function') {
      this.#openSocket(token);
      return;
    }
    this.#dialing = true;
    Promise.resolve()
      .then(token)
      .then(
        (value) => {
          this.#dialing = false;
          if (this.#state !== 'closed') {
            this.#openSocket(value);
          }
        },
        (cause: unknown) => {
          this.#dialing = false;
          if (this.#state !== 'closed') {
            this.#hooks.error(new RealtimeError('TOKEN_ERROR', 'the token function failed', { cause }));
            this.#attemptFailed({});
          }
        },
      );
  }

  #openSocket(token: string | undefined): void {
    const { url, clientId, name, WebSocket, tokenTransport } = this.#settings;
    let socket: WebSocketLike;
    try {
      socket =
        tokenTransport === 'subprotocol' && token !== undefined && token !== ''
          ? new WebSocket(buildUrl(url, { clientId, name }), [REALTIME_SUBPROTOCOL, `bearer.${token}`])
          : new WebSocket(buildUrl(url, { clientId, name, token }));
    } catch (cause) {
      this.#hooks.error(new RealtimeError('SOCKET_ERROR', 'the WebSocket constructor threw', { cause }));
      this.#attemptFailed({});
      return;
    }
    this.#nextSession += 1;
    const session: Session = { id: this.#nextSession, socket, openedAt: undefined, ended: false };
    this.#opening = session;
    socket.addEventListener('open', () => this.#onOpen(session));
    socket.addEventListener('message', (event) => {
      if (!session.ended && session.openedAt !== undefined) {
        this.#hooks.frame(event.data, session.id);
      }
    });
    socket.addEventListener('close', (event) =>
      this.#onClose(session, event.code ?? 1006, event.reason ?? ''),
    );
    // A close event always follows an error event; the close is what counts. The listener also keeps
    // `ws` from treating the error as unhandled.
    socket.addEventListener('error', () => {});
    if (this.#settings.connectTimeoutMs > 0) {
      this.#connectTimer = setTimeout(
        () => this.#abandon(session, CLIENT_ABANDON_CODE, 'connect timeout'),
        this.#settings.connectTimeoutMs,
      );
    }
  }

  #onOpen(session: Session): void {
    if (session.ended || session === this.#active) {
      return;
    }
    if (session !== this.#opening || this.#state === 'closed') {
      this.#abandon(session, 1000, 'not needed');
      return;
    }
    clearTimeout(this.#connectTimer);
    this.#opening = undefined;
    session.openedAt = Date.now();
    const replaced = this.#active;
    this.#active = session;
    this.#lastSentAt = session.openedAt;
    // The replaced socket's timers (if any) belong to the new one now.
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#rotateTimer);
    this.#armIdle(this.#settings.heartbeatIntervalMs);
    this.#armRotation();
    if (replaced !== undefined) {
      // The replaced socket lasted maxConnectionMs: whatever the proactive attempts cost is forgiven.
      this.#settings.backoff.reset();
      this.#draining.set(
        replaced,
        setTimeout(() => this.retire(replaced.id), this.#settings.drainTimeoutMs),
      );
    }
    const previous = this.#state;
    this.#hooks.open(session.id, replaced?.id);
    this.#setState('open', { previous });
  }

  #onClose(session: Session, closeCode: number, closeReason: string): void {
    if (session.ended) {
      return;
    }
    session.ended = true;
    if (session === this.#opening) {
      clearTimeout(this.#connectTimer);
      this.#opening = undefined;
      this.#attemptFailed({ closeCode, closeReason });
      return;
    }
    const drainTimer = this.#draining.get(session);
    if (drainTimer !== undefined) {
      clearTimeout(drainTimer);
      this.#draining.delete(session);
      this.#hooks.closed(session.id);
      return;
    }
    if (session !== this.#active) {
      return;
    }
    this.#active = undefined;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#rotateTimer);
    // A connection that stayed up a while proves the endpoint works: start the backoff over.
    if (Date.now() - (session.openedAt ?? 0) >= this.#settings.stableAfterMs) {
      this.#settings.backoff.reset();
    }
    this.#hooks.closed(session.id);
    if (this.#state === 'closed') {
      return;
    }
    const previous = this.#state;
    if (!this.#settings.reconnect) {
      this.#shutDown({ previous, closeCode, closeReason });
      return;
    }
    if (this.#opening !== undefined || this.#dialing) {
      // A proactive reconnect is already dialing: it becomes the reconnect.
      this.#setState('reconnecting', { previous, closeCode, closeReason });
      return;
    }
    clearTimeout(this.#retryTimer);
    const retryInMs = this.#settings.backoff.next();
    this.#retryTimer = setTimeout(() => this.#dial(), retryInMs);
    this.#setState('reconnecting', { previous, closeCode, closeReason, retryInMs });
  }

  /** An attempt ended before its socket opened. */
  #attemptFailed(info: { closeCode?: number; closeReason?: string }): void {
    if (this.#state === 'closed') {
      return;
    }
    const previous = this.#state;
    if (this.#active === undefined && !this.#settings.reconnect) {
      this.#shutDown({ previous, ...info });
      return;
    }
    const retryInMs = this.#settings.backoff.next();
    this.#retryTimer = setTimeout(() => this.#dial(), retryInMs);
    // With an active socket this was a proactive reconnect: keep using the active socket meanwhile.
    if (this.#active === undefined) {
      this.#setState('reconnecting', { previous, ...info, retryInMs });
    }
  }

  /** Stops listening to a socket and closes it; its loss is handled at once, not when `close` arrives. */
  #abandon(session: Session, code: number, reason: string): void {
    if (session.ended) {
      return;
    }
    try {
      session.socket.close(code, reason);
    } catch {
      // Closing a socket that is already closing can throw in some implementations; it is gone either way.
    }
    this.#onClose(session, code, reason);
  }

  #armIdle(delayMs: number): void {
    const interval = this.#settings.heartbeatIntervalMs;
    if (interval <= 0) {
      return;
    }
    this.#idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.#lastSentAt;
      if (idleFor >= interval) {
        this.#hooks.idle();
        this.#armIdle(interval);
      } else {
        this.#armIdle(interval - idleFor);
      }
    }, delayMs);
  }

  #armRotation(): void {
    if (this.#settings.maxConnectionMs > 0) {
      this.#rotateTimer = setTimeout(() => this.#dial(), this.#settings.maxConnectionMs);
    }
  }

  #shutDown(info: StateInfo): void {
    for (const timer of [this.#retryTimer, this.#connectTimer, this.#idleTimer, this.#rotateTimer]) {
      clearTimeout(timer);
    }
    const sessions = [this.#active, this.#opening, ...this.#draining.keys()];
    for (const timer of this.#draining.values()) {
      clearTimeout(timer);
    }
    this.#active = undefined;
    this.#opening = undefined;
    this.#draining.clear();
    this.#state = 'closed';
    for (const session of sessions) {
      if (session !== undefined && !session.ended) {
        session.ended = true;
        try {
          session.socket.close(1000, 'client closed');
        } catch {
          // see #abandon
        }
      }
    }
    if (info.previous !== 'closed') {
      this.#hooks.state('closed', info);
    }
  }
}
