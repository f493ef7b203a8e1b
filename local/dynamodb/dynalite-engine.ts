/**
 * dynalite (DynamoDB's API over LevelDB): the default engine, in memory unless persisted. It runs on a worker
 * thread of its own, like the separate service it stands in for, so a large query never stalls the gateway's
 * WebSocket traffic on the main thread and both run on separate cores.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { RunningDynamo } from './engine.js';

/** Options of {@link startDynalite}. */
export interface DynaliteEngineOptions {
  /** LevelDB directory, created if missing. @default in memory */
  readonly persistDir?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

type ThreadMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'closed' }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string };

const THREAD = new URL('./dynalite-thread.mjs', import.meta.url);

/** The next message of the thread, or its exit as an error. */
function nextMessage(worker: Worker): Promise<ThreadMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ThreadMessage) => {
      worker.off('error', onError).off('exit', onExit);
      resolve(message);
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage).off('exit', onExit);
      reject(error);
    };
    const onExit = (code: number) => {
      worker.off('message', onMessage).off('error', onError);
      reject(new Error(`dynalite's thread exited with code ${code}`));
    };
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  });
}

/**
 * Starts dynalite on 127.0.0.1 in a worker thread. Tables become ACTIVE at once (`createTableMs: 0`): the 500 ms
 * default only slows start-up, and the handlers never look at table status.
 *
 * @throws an error with dynalite's `code` (e.g. `EADDRINUSE`) when it cannot listen.
 */
export async function startDynalite(options: DynaliteEngineOptions = {}): Promise<RunningDynamo> {
  if (options.persistDir !== undefined) await mkdir(options.persistDir, { recursive: true });
  const worker = new Worker(THREAD, {
    workerData: {
      port: options.port ?? 0,
      ...(options.persistDir !== undefined && { path: options.persistDir }),
    },
    // dynalite sees none of the runtime's environment, and its output is the runtime's.
    env: {},
  });
  const started = await nextMessage(worker);
  if (started.type !== 'listening') {
    await worker.terminate();
    const message = started.type === 'failed' ? started.message : 'dynalite did not start';
    throw Object.assign(new Error(message), started.type === 'failed' ? { code: started.code } : {});
  }
  let closing: Promise<void> | undefined;
  return {
    engine: 'dynalite',
    endpoint: `http://127.0.0.1:${started.port}`,
    close() {
      closing ??= (async () => {
        const stopped = nextMessage(worker).catch(() => undefined);
        worker.postMessage({ type: 'close' });
        await stopped;
        await worker.terminate();
      })();
      return closing;
    },
  };
}
