/**
 * The client fleet: N real `ws` clients opened against one URL with many handshakes in flight at once (as
 * browsers reconnecting after a deploy do), bounded in number and by a hard deadline, whose incoming text frames
 * all go to one replaceable listener. A handshake refused with 429 (the stage's throttling) is tried again after
 * a growing, jittered pause, as a well-behaved client reconnects.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type RawData, WebSocket } from 'ws';

/** Receives every text frame any client of the fleet gets; `index` is the client's position in the fleet. */
export type FrameListener = (index: number, frame: string, receivedAt: number) => void;

/** How the opening of a fleet went. */
export interface FleetSetup {
  readonly attempted: number;
  readonly opened: number;
  readonly failed: number;
  /** Handshakes answered 429 and tried again (each retry counts). */
  readonly throttled: number;
  /** From the first handshake started to the last one settled (opened, failed or cut by the deadline). */
  readonly elapsedMs: number;
  /** The first few distinct failure reasons, for the log. */
  readonly errors: readonly string[];
}

/** An open fleet. */
export interface Fleet {
  readonly setup: FleetSetup;
  /** The clients that opened, in order. */
  readonly clients: readonly WebSocket[];
  /** Clients the server closed while the benchmark still needed them. */
  readonly closedByServer: () => number;
  /** Routes every text frame from now on to `listener` (replacing the previous one). */
  listen(listener: FrameListener): void;
  /** Closes every client (close handshake), terminating those still open when `timeoutMs` runs out. */
  close(timeoutMs: number): Promise<{ readonly closed: number; readonly terminated: number }>;
}

/** Options of {@link openFleet}. */
export interface OpenFleetOptions {
  readonly url: string;
  readonly count: number;
  /** Handshakes in flight at once (a client waiting to retry after a 429 holds its slot). */
  readonly concurrency: number;
  /** Handshakes not settled by then are abandoned and counted as failed. */
  readonly timeoutMs: number;
}

const MAX_ERRORS_KEPT = 5;

/** The pause before the first retry of a throttled handshake; it doubles per retry, up to the cap. */
export const RETRY_BASE_MS = 100;
/** The longest pause between two attempts of one throttled handshake. */
export const RETRY_CAP_MS = 2_000;

/**
 * The pause before retry `attempt` (1, 2, …) of a throttled handshake: `RETRY_BASE_MS × 2^(attempt−1)`, capped
 * at {@link RETRY_CAP_MS}, scaled by a jitter factor in [0.5, 1) drawn from `random`, so a fleet refused at the
 * same moment does not come back at the same moment.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return ceiling * (0.5 + random() / 2);
}

/** A failed handshake, with the HTTP status of the refusal when there was one. */
class HandshakeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function openOne(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: Math.max(1, timeoutMs) });
    const fail = (reason: string, status?: number): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(new HandshakeError(reason, status));
    };
    socket.once('open', () => {
      socket.removeAllListeners();
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) =>
      fail(`HTTP ${response.statusCode}`, response.statusCode),
    );
    socket.once('error', (error) => fail(error.message));
    socket.once('close', (code) => fail(`closed ${code} during handshake`));
  });
}

/**
 * Opens `count` clients with at most `concurrency` handshakes in flight. Never throws for a failed
 * handshake: failures are counted, so a struggling server yields a figure instead of a crash. A 429 is
 * retried (see {@link retryDelayMs}) until the deadline.
 */
export async function openFleet(options: OpenFleetOptions): Promise<Fleet> {
  const { url, count, concurrency, timeoutMs } = options;
  const started = performance.now();
  const deadline = started + timeoutMs;
  const slots: (WebSocket | undefined)[] = new Array(count).fill(undefined);
  const errors = new Set<string>();
  let next = 0;
  let failed = 0;
  let throttled = 0;
  const fail = (reason: string): void => {
    failed += 1;
    if (errors.size < MAX_ERRORS_KEPT) errors.add(reason);
  };
  const openWithRetries = async (index: number): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        fail(
          attempt === 1
            ? 'phase deadline reached before the handshake started'
            : 'phase deadline reached while retrying a throttled handshake',
        );
        return;
      }
      try {
        slots[index] = await openOne(url, remaining);
        return;
      } catch (error) {
        if (!(error instanceof HandshakeError && error.status === 429)) {
          fail(error instanceof Error ? error.message : String(error));
          return;
        }
        throttled += 1;
        await sleep(Math.min(retryDelayMs(attempt), Math.max(0, deadline - performance.now())));
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (next < count) await openWithRetries(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - started;
  const clients = slots.filter((socket): socket is WebSocket => socket !== undefined);

  let listener: FrameListener = () => {};
  let closing = false;
  let closedByServer = 0;
  clients.forEach((socket, index) => {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) listener(index, textOf(data), performance.now());
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!closing) closedByServer += 1;
    });
  });

  return {
    setup: { attempted: count, opened: clients.length, failed, throttled, elapsedMs, errors: [...errors] },
    clients,
    closedByServer: () => closedByServer,
    listen(next) {
      listener = next;
    },
    async close(closeTimeoutMs) {
      closing = true;
      listener = () => {};
      const open = clients.filter((socket) => socket.readyState !== WebSocket.CLOSED);
      let closed = 0;
      const allClosed = Promise.all(
        open.map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('close', () => {
                closed += 1;
                resolve();
              });
              socket.close(1000, 'bench done');
            }),
        ),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        allClosed,
        new Promise((resolve) => (timer = setTimeout(resolve, closeTimeoutMs))),
      ]);
      clearTimeout(timer);
      let terminated = 0;
      for (const socket of open) {
        if (socket.readyState !== WebSocket.CLOSED) {
          socket.terminate();
          terminated += 1;
        }
      }
      return { closed, terminated };
    },
  };
}
