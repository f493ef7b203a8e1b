/**
 * The floor: the least any faithful emulator running these handlers can cost per delivery. The same `ws`
 * server and {@link BaselineProtocol} as the plain baseline, except that every fan-out frame makes the round
 * trip a Lambda fan-out makes in the offline runtime: handed (recipient ids + frame) to a relay worker thread,
 * which sends one `PostToConnection` per recipient with the fan-out handlers' own SDK client
 * (`ApiGatewayManagementApiClient` with SDK retries off and the handlers' keep-alive request handler, signed, 32
 * in flight) to an HTTP `@connections` server in this process, whose handler does the `ws.send` and answers 200
 * (410 for an unknown id).
 *
 * No Lambda harness, no process boundary, no DynamoDB: what the runtime does on top of this is its own cost, and
 * the floor's figures are a ceiling no emulator that runs the handlers' SDK client can pass. As many relay
 * threads as the runtime keeps warm workers per function (one per core, at least 2), taking messages
 * round-robin. Acks to the requester (`published`, `subscribed`, …) are written directly, as the baseline does;
 * their timing is not measured.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MESSAGE_LIMIT_BYTES } from '../../local/gateway/constants.js';
import { sendAwsError, sendEmpty } from '../../local/gateway/http-responses.js';
import { managementConnectionId } from '../../local/gateway/management-api.js';
import { BaselineProtocol, type FanOutRoute } from './baseline-protocol.js';
import type { RelayBoot, RelayDone, RelayJob } from './floor-relay-thread.js';
import { hostProtocol, type ProtocolHost } from './protocol-host.js';

/** The relay thread's entry, next to this file (it loads `floor-relay-thread.ts`). */
const RELAY_FILE = new URL('./floor-relay.mjs', import.meta.url);

/** The shape of the relay threads. */
export const FLOOR_RELAY = {
  /** Relay threads by default: the runtime's default of warm workers per function. */
  defaultWorkers: Math.max(2, availableParallelism()),
  /** POSTs in flight at once per thread, and its keep-alive sockets: the fan-out's `FANOUT_CONCURRENCY`. */
  inFlight: 32,
  /** A relay thread that has not loaded (tsx, the SDK) by then fails the server's start. */
  startTimeoutMs: 20_000,
  /** The region the client signs for (any works: the floor checks no signature, like the runtime). */
  region: 'us-east-1',
} as const;

/** The stage the relays post under (the SDK's endpoint is the stage URL); bare `/@connections/{id}` works too. */
const FLOOR_STAGE = 'prod';

/** What the relay threads reported so far. */
export interface RelayCounts {
  /** Fan-outs finished, by route. */
  readonly jobs: Readonly<Record<FanOutRoute, number>>;
  /** POSTs sent (answered 200). */
  readonly ok: number;
  /** POSTs answered 410 `GoneException` (the recipient closed in between). */
  readonly gone: number;
  /** POSTs that failed otherwise (any other answer, or a timeout or network error on every attempt). */
  readonly failed: number;
  /** Attempts that failed retryably (e.g. a kept-alive socket the server had closed) and were made again. */
  readonly retries: number;
  /** The first failure reported, if any. */
  readonly firstError: string | undefined;
  /** Relay threads that crashed or exited unexpectedly. */
  readonly workerErrors: number;
}

/** A running floor server. */
export interface FloorServer extends ProtocolHost {
  /** `http://127.0.0.1:<port>`, the origin of the `POST [/prod]/@connections/{id}` endpoint. */
  readonly managementUrl: string;
  /** How many relay threads post. */
  readonly relayThreads: number;
  /** Fan-outs the relay threads finished for a route, so a scenario can wait for them. */
  completedRequests(route: string): number;
  /** The relay counts, for the report's diagnostics. */
  diagnostics(): { readonly relay: RelayCounts };
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
    retries: 0,
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

  /** Starts `count` threads and waits (bounded) until each has loaded. */
  static async start(endpoint: string, count: number): Promise<RelayPool> {
    const boot: RelayBoot = { endpoint, region: FLOOR_RELAY.region, inFlight: FLOOR_RELAY.inFlight };
    const workers = Array.from(
      { length: count },
      () =>
        new Worker(RELAY_FILE, {
          workerData: boot,
          // The entry loads its own TypeScript loader; the parent's flags (e.g. --cpu-prof) stay with the parent.
          execArgv: [],
          // As `npm start` does: the SDK's Node 20 deprecation notice would interleave with the figures.
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
  relay(route: FanOutRoute, ids: readonly string[], frame: string): void {
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
    this.counts.retries += done.retries;
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

/**
 * Answers `POST [/prod]/@connections/{id}` as the runtime's Management API does (same helpers): 200 after
 * `ws.send`, 410 `GoneException` for an unknown or closed connection.
 */
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
        sendAwsError(res, 410, 'GoneException', `Connection ${id} is gone`);
        return;
      }
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      peer.socket.send(body?.toString('utf8') ?? '');
      sendEmpty(res, 200);
    });
  };
}

/** Options of {@link startFloorServer}. */
export interface FloorOptions {
  /** Relay threads; match the runtime's warm workers per function. @default FLOOR_RELAY.defaultWorkers */
  readonly relayThreads?: number;
}

/** Starts the floor on random free ports of 127.0.0.1 (one for WebSocket clients, one for the relays). */
export async function startFloorServer(options: FloorOptions = {}): Promise<FloorServer> {
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
    pool = await RelayPool.start(
      `http://127.0.0.1:${port}/${FLOOR_STAGE}`,
      options.relayThreads ?? FLOOR_RELAY.defaultWorkers,
    );
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
    relayThreads: options.relayThreads ?? FLOOR_RELAY.defaultWorkers,
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
