/**
 * A minimal `ws` client for the abuse benchmarks: every frame is kept, and a caller can wait for the first one
 * that matches, or for the close.
 *
 * @module
 */
import WebSocket from 'ws';

/** A parsed frame (anything the API sends is a JSON object). */
export type Frame = Record<string, unknown>;

/** An open socket and what it received. */
export interface BenchClient {
  readonly socket: WebSocket;
  readonly frames: Frame[];
  /** The close code once closed. */
  closedWith(): number | undefined;
  /** Resolves with the first frame (already received or to come) that matches, or undefined after `timeoutMs`. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame | undefined>;
  send(request: unknown): void;
}

/** Opens `url` and resolves once the handshake succeeded. */
export function openClient(url: string, openTimeoutMs = 10_000): Promise<BenchClient> {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  let closed: number | undefined;
  const wakeAll = (): void => {
    for (const wake of waiters) wake();
  };
  socket.on('message', (data) => {
    try {
      frames.push(JSON.parse(data.toString()) as Frame);
    } catch {
      frames.push({ raw: data.toString() });
    }
    wakeAll();
  });
  socket.on('close', (code) => {
    closed = code;
    wakeAll();
  });
  socket.on('error', () => {});
  const client: BenchClient = {
    socket,
    frames,
    closedWith: () => closed,
    send: (request) => socket.send(JSON.stringify(request)),
    waitFor(match, timeoutMs) {
      const found = frames.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(undefined);
        }, timeoutMs);
        const check = (): void => {
          const frame = frames.find(match);
          if (frame !== undefined || closed !== undefined) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(frame);
          }
        };
        waiters.add(check);
      });
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`handshake not done after ${openTimeoutMs} ms`));
    }, openTimeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(client);
    });
    socket.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed ${code} during the handshake`));
    });
  });
}
