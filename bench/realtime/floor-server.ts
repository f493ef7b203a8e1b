/**
 * The floor: the least any faithful emulator of API Gateway's Management API must do per delivery. The same
 * `ws` server and {@link BaselineProtocol} as the plain baseline, except that every fan-out frame makes the
 * round trip a Lambda fan-out makes in the offline runtime: handed (recipient ids + frame) to a relay worker
 * thread, which sends one unsigned keep-alive `POST /@connections/{id}` per recipient to an HTTP server in
 * this process, whose handler does the `ws.send` and answers 200 (410 for an unknown id).
 *
 * No signing, no SDK, no Lambda harness, no DynamoDB: what the runtime does on top of this is its own cost,
 * and what this costs over plain `ws` is a ceiling no emulator can pass. Like the runtime's pool of 2 warm
 * workers per function, there are 2 relay threads, taking messages round-robin. Acks to the requester
 * (`published`, `subscribed`, …) are written directly, as the baseline does; their timing is not measured.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { MESSAGE_LIMIT_BYTES } from '../../local/gateway/constants.js';
import { managementConnectionId } from '../../local/gateway/management-api.js';
import { BaselineProtocol, type FanOutRoute } from './baseline-protocol.js';
import { hostProtocol, type ProtocolHost } from './protocol-host.js';

/** The relay thread's script, next to this file. */
const RELAY_FILE = new URL('./floor-relay.mjs', import.meta.url);

/** The shape of the relay threads; the runtime's fan-out uses the same 32 in flight over 32 sockets. */
export const FLOOR_RELAY = {
  /** Relay threads, taking messages round-robin (the runtime keeps 2 warm workers per function). */
  workers: 2,
  /** POSTs in flight at once, per thread. */
  inFlight: 32,
  /** Keep-alive sockets of each thread's `http.Agent`. */
  maxSockets: 32,
  /** A POST whose socket stays idle this long counts as failed. */
  postTimeoutMs: 10_000,
  /** A relay thread that has not started by then fails the server's start. */
  startTimeoutMs: 10_000,
} as const;

/** The stage prefix the floor also answers under; the relays post to `/@connections/{id}` without one. */
const FLOOR_STAGE = 'prod';

/** What the relay threads reported so far. */
export interface RelayCounts {
  /** Fan-outs finished, by route. */
  readonly jobs: Readonly<Record<FanOutRoute, number>>;
  /** POSTs answered 200. */
  readonly ok: number;
  /** POSTs answered 410 (the recipient closed in between). */
  readonly gone: number;
  /** POSTs answered otherwise, or that failed on the network. */
  readonly failed: number;
  /** The first failure reported, if any. */
  readonly firstError: string | undefined;
  /** Relay threads that crashed or exited unexpectedly. */
  readonly workerErrors: number;
}

/** A running floor server. */
export interface FloorServer extends ProtocolHost {
  /** `http://127.0.0.1:<port>`, the origin of the `POST /@connections/{id}` endpoint. */
  readonly managementUrl: string;
  /** Fan-outs the relay threads finished for a route, so a scenario can wait for them. */
  completedRequests(route: string): number;
  /** The relay counts, for the report's diagnostics. */
  diagnostics(): { readonly relay: RelayCounts };
}

interface RelayDone {
  readonly type: 'done';
  readonly route: FanOutRoute;
  readonly ok: number;
  readonly gone: number;
  readonly failed: number;
  readonly error?: string;
}

interface RelayJob {
  readonly type: 'relay';
  readonly route: FanOutRoute;
  readonly ids: string[];
  readonly frame: string;
}

/** The main thread's side of the relay threads: round-robin dispatch, and the counts they report back. */
class RelayPool {
  private next = 0;
  private closing = false;
  private readonly counts = {
    jobs: { sendmessage: 0, publish: 0 },
    ok: 0,
    gone: 0,
    failed: 0,
    firstError: undefined as string | undefined,
    workerErrors: 0,
  };

  private constructor(private readonly workers: readonly Worker[]) {
    for (const worker of workers) {
      worker.on('message', (message: RelayDone | { type: 'ready' }) => {
        if (message.type === 'done') this.record(message);
      });
      worker.on('error', (error) => this.fail(`relay thread crashed: ${error.message}`));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(`relay thread exited with code ${code}`);
      });
    }
  }

  /** Starts the threads and waits (bounded) until each has loaded. */
  static async start(httpPort: number): Promise<RelayPool> {
    const workers = Array.from(
      { length: FLOOR_RELAY.workers },
      () =>
        new Worker(RELAY_FILE, {
          workerData: {
            port: httpPort,
            inFlight: FLOOR_RELAY.inFlight,
            maxSockets: FLOOR_RELAY.maxSockets,
            timeoutMs: FLOOR_RELAY.postTimeoutMs,
          },
          // Plain JavaScript: no need for the TypeScript loader the parent may run under.
          execArgv: [],
        }),
    );
    // Constructed first, so every thread has its error and exit listeners before anything can happen.
    const pool = new RelayPool(workers);
    try {
      await Promise.all(workers.map(ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Hands one fan-out to the next thread in turn. */
  relay(route: FanOutRoute, ids: string[], frame: string): void {
    const worker = this.workers[this.next % this.workers.length];
    this.next += 1;
    const job: RelayJob = { type: 'relay', route, ids, frame };
    worker?.postMessage(job);
  }

  completed(route: string): number {
    return route === 'sendmessage' || route === 'publish' ? this.counts.jobs[route] : 0;
  }

  snapshot(): RelayCounts {
    return { ...this.counts, jobs: { ...this.counts.jobs } };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private record(done: RelayDone): void {
    this.counts.jobs[done.route] += 1;
    this.counts.ok += done.ok;
    this.counts.gone += done.gone;
    this.counts.failed += done.failed;
    if (done.error !== undefined) this.counts.firstError ??= done.error;
  }

  private fail(reason: string): void {
    this.counts.workerErrors += 1;
    this.counts.firstError ??= reason;
  }
}

/** Resolves once the thread posts `ready`; rejects if it fails or exits first, or takes too long. */
function ready(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', settle);
      worker.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onMessage = (message: { type?: unknown }): void => {
      if (message.type === 'ready') settle();
    };
    const onExit = (code: number): void => settle(new Error(`relay thread exited with code ${code}`));
    const timer = setTimeout(
      () => settle(new Error(`relay thread not ready within ${FLOOR_RELAY.startTimeoutMs} ms`)),
      FLOOR_RELAY.startTimeoutMs,
    );
    worker.on('message', onMessage);
    worker.once('error', settle);
    worker.once('exit', onExit);
  });
}

/** Answers `POST /@connections/{id}`: 200 after `ws.send`, 410 for an unknown or closed connection. */
function managementHandler(protocol: BaselineProtocol) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const id = managementConnectionId((req.url ?? '').split('?')[0] ?? '', FLOOR_STAGE);
    if (id === undefined || req.method !== 'POST') {
      req.resume();
      res.writeHead(id === undefined ? 404 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MESSAGE_LIMIT_BYTES) req.socket.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (id === '') {
        res.writeHead(400).end();
        return;
      }
      const peer = protocol.peer(id);
      if (peer === undefined || peer.socket.readyState !== peer.socket.OPEN) {
        res.writeHead(410).end();
        return;
      }
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      peer.socket.send(body?.toString('utf8') ?? '');
      res.writeHead(200).end();
    });
  };
}

/** Starts the floor on random free ports of 127.0.0.1 (one for WebSocket clients, one for the relays). */
export async function startFloorServer(): Promise<FloorServer> {
  let pool: RelayPool | undefined;
  const protocol = new BaselineProtocol((route, recipients, frame) => {
    pool?.relay(
      route,
      recipients.map((peer) => peer.id),
      frame,
    );
    return recipients.length;
  });
  const management = createServer(managementHandler(protocol));
  await new Promise<void>((resolve, reject) => {
    management.once('error', reject);
    management.listen(0, '127.0.0.1', () => {
      management.off('error', reject);
      resolve();
    });
  });
  const closeManagement = (): Promise<void> =>
    new Promise((resolve) => {
      management.closeAllConnections();
      management.close(() => resolve());
    });
  const { port } = management.address() as AddressInfo;
  let host: ProtocolHost;
  try {
    pool = await RelayPool.start(port);
    host = await hostProtocol(protocol);
  } catch (error) {
    await pool?.close();
    await closeManagement();
    throw error;
  }
  const relays = pool;
  return {
    url: host.url,
    managementUrl: `http://127.0.0.1:${port}`,
    openConnections: () => host.openConnections(),
    completedRequests: (route) => relays.completed(route),
    diagnostics: () => ({ relay: relays.snapshot() }),
    async close() {
      // Relays first, so no POST arrives at a closing server; then the clients, then the endpoint.
      await relays.close();
      await host.close();
      await closeManagement();
    },
  };
}
