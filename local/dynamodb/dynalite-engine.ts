/**
 * dynalite (DynamoDB's API over LevelDB, in process): the default engine, in memory unless persisted.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import type { RunningDynamo } from './engine.js';

/** Options of {@link startDynalite}. */
export interface DynaliteEngineOptions {
  /** LevelDB directory, created if missing. @default in memory */
  readonly persistDir?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

/**
 * Starts dynalite on 127.0.0.1. Tables become ACTIVE at once (`createTableMs: 0`): the 500 ms default only
 * slows start-up, and the handlers never look at table status.
 */
export async function startDynalite(options: DynaliteEngineOptions = {}): Promise<RunningDynamo> {
  if (options.persistDir !== undefined) await mkdir(options.persistDir, { recursive: true });
  const server = dynalite({
    ...(options.persistDir !== undefined && { path: options.persistDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    engine: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Kept-alive sockets of clients that were not destroyed would hold close() for dynalite's 30 s timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
