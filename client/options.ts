/**
 * The client's options, their defaults (all in one place) and their validation. Defaults follow API
 * Gateway's limits: a connection idle for 10 minutes is closed, and every connection is closed after 2 hours.
 *
 * @module
 */
import type { TokenSource, TokenTransport, WebSocketConstructor } from './connection.js';

/** How reconnect delays grow (full-jitter exponential backoff). */
export interface ReconnectOptions {
  /**
   * Cap of the first delay, in ms.
   * @default 500
   */
  readonly initialDelayMs?: number;
  /**
   * No delay is longer than this, in ms.
   * @default 30_000
   */
  readonly maxDelayMs?: number;
  /**
   * Growth of the cap per failed attempt.
   * @default 2
   */
  readonly multiplier?: number;
  /**
   * A connection that stayed open this long resets the backoff, in ms.
   * @default 10_000
   */
  readonly stableAfterMs?: number;
}

/** Options of `connect`. Every one is optional. */
export interface ClientOptions {
  /**
   * The WebSocket constructor. Browsers (and Node 22+) have one; in Node 20 pass the `ws` package's
   * default export.
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * A stable id for this client, sent as the `clientId` query parameter; presence groups by it. With auth on
   * the server takes it from the token (its `sub`): leave it out or pass the token's user id, since any other
   * value refuses the connection (HTTP 403). Without auth it is the client's own choice.
   */
  readonly clientId?: string;
  /** A display name, sent as the `name` query parameter. */
  readonly name?: string;
  /** A JWT sent as the `token` query parameter, or a function called before every connection attempt. */
  readonly token?: TokenSource;
  /**
   * How the token travels: `'query'` (`?token=…`, visible in access logs) or `'subprotocol'`
   * (`Sec-WebSocket-Protocol: realtime, bearer.<jwt>`; the server answers `realtime`).
   * @default 'query'
   */
  readonly tokenTransport?: TokenTransport;
  /**
   * Reconnect delays, or `false` to stay closed after the first drop.
   * @default { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, stableAfterMs: 10_000 }
   */
  readonly reconnect?: ReconnectOptions | false;
  /**
   * A connection attempt that has not opened after this long is abandoned and retried, in ms; 0 waits forever.
   * @default 10_000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Send `{"action":"ping"}` when nothing was sent for this long, in ms; 0 disables. API Gateway closes a
   * connection idle for 10 minutes, and WebSocket protocol pings do not count as activity.
   * @default 300_000 (5 minutes)
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * Replace the connection after this long, in ms, without losing a message; 0 disables. API Gateway closes
   * every connection after 2 hours.
   * @default 6_900_000 (1 h 55 min)
   */
  readonly maxConnectionMs?: number;
  /**
   * How long an ack may take once a request was sent, in ms (then `TIMEOUT`); 0 waits forever.
   * @default 10_000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How long a channel waits for a missing seq to arrive live before it reads history to fill the gap, in ms.
   * @default 1_000
   */
  readonly gapTimeoutMs?: number;
  /**
   * Requests made while not connected wait in a queue of this size and are sent in order on open; more are
   * rejected with `QUEUE_FULL`. With `maxSize: 0` they are rejected at once with `DISCONNECTED`.
   * @default { maxSize: 100 }
   */
  readonly offlineQueue?: { readonly maxSize?: number };
  /**
   * The source of jitter, a function returning numbers in [0, 1). Injectable for tests.
   * @default Math.random
   */
  readonly random?: () => number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly clientId: string | undefined;
  readonly name: string | undefined;
  readonly token: TokenSource | undefined;
  readonly tokenTransport: TokenTransport;
  readonly reconnect: Required<ReconnectOptions> | false;
  readonly connectTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxConnectionMs: number;
  readonly requestTimeoutMs: number;
  readonly gapTimeoutMs: number;
  readonly maxQueued: number;
  readonly random: () => number;
}

/** Every default, in one place. */
export const DEFAULTS = {
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, stableAfterMs: 10_000 },
  connectTimeoutMs: 10_000,
  heartbeatIntervalMs: 300_000,
  maxConnectionMs: 6_900_000,
  requestTimeoutMs: 10_000,
  gapTimeoutMs: 1_000,
  offlineQueueSize: 100,
} as const;

const checkDuration = (name: string, value: number): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
};

const resolveReconnect = (
  reconnect: ReconnectOptions | false | undefined,
): Required<ReconnectOptions> | false => {
  if (reconnect === false) {
    return false;
  }
  const merged = { ...DEFAULTS.reconnect, ...reconnect };
  checkDuration('reconnect.initialDelayMs', merged.initialDelayMs);
  checkDuration('reconnect.maxDelayMs', merged.maxDelayMs);
  checkDuration('reconnect.stableAfterMs', merged.stableAfterMs);
  if (merged.maxDelayMs < merged.initialDelayMs) {
    throw new TypeError(
      `reconnect.maxDelayMs (${merged.maxDelayMs}) must be >= reconnect.initialDelayMs (${merged.initialDelayMs})`,
    );
  }
  if (!Number.isFinite(merged.multiplier) || merged.multiplier < 1) {
    throw new TypeError(`reconnect.multiplier must be a number >= 1, got ${String(merged.multiplier)}`);
  }
  return merged;
};

const resolveTokenTransport = (transport: TokenTransport | undefined): TokenTransport => {
  if (transport === undefined || transport === 'query' || transport === 'subprotocol')
    return transport ?? 'query';
  throw new TypeError(`tokenTransport must be 'query' or 'subprotocol', got ${JSON.stringify(transport)}`);
};

const defaultWebSocket = (): WebSocketConstructor => {
  const found = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) {
    throw new TypeError(
      "this runtime has no global WebSocket (Node 20): pass one, e.g. connect(url, { WebSocket }) with WebSocket from 'ws'",
    );
  }
  return found;
};

/**
 * Applies the defaults and rejects invalid values with a message that shows them.
 *
 * @throws {TypeError} on an invalid URL or option, or when no WebSocket constructor is available.
 */
export const resolveOptions = (url: string, options: ClientOptions = {}): ResolvedOptions => {
  if (typeof url !== 'string' || !/^(wss?|https?):\/\//i.test(url)) {
    throw new TypeError(`url must start with wss:// or ws://, got ${JSON.stringify(url)}`);
  }
  const maxQueued = options.offlineQueue?.maxSize ?? DEFAULTS.offlineQueueSize;
  if (!Number.isInteger(maxQueued) || maxQueued < 0) {
    throw new TypeError(`offlineQueue.maxSize must be an integer >= 0, got ${String(maxQueued)}`);
  }
  return {
    url,
    WebSocket: options.WebSocket ?? defaultWebSocket(),
    clientId: options.clientId,
    name: options.name,
    token: options.token,
    tokenTransport: resolveTokenTransport(options.tokenTransport),
    reconnect: resolveReconnect(options.reconnect),
    connectTimeoutMs: checkDuration(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    ),
    heartbeatIntervalMs: checkDuration(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
    ),
    maxConnectionMs: checkDuration('maxConnectionMs', options.maxConnectionMs ?? DEFAULTS.maxConnectionMs),
    requestTimeoutMs: checkDuration(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    ),
    gapTimeoutMs: checkDuration('gapTimeoutMs', options.gapTimeoutMs ?? DEFAULTS.gapTimeoutMs),
    maxQueued,
    random: options.random ?? Math.random,
  };
};
