/**
 * Picks and starts the DynamoDB the offline runtime talks to: dynalite (default), AWS's DynamoDB Local, or an
 * endpoint someone else runs.
 *
 * @module
 */
import { startDynalite } from './dynalite-engine.js';
import { startDynamoDbLocal } from './dynamodb-local-engine.js';
import { DynamoEngineError } from './errors.js';

/** The engines the runtime can use. */
export type DynamoEngine = 'dynalite' | 'local' | 'external';

/** Options of {@link startDynamo}. */
export interface DynamoOptions {
  readonly engine: DynamoEngine;
  /** Required for `external`: e.g. `http://127.0.0.1:8000`. Ignored otherwise. */
  readonly endpoint?: string;
  /** Keep the data on disk in this directory (dynalite: LevelDB; local: `-dbPath`). @default in memory */
  readonly persistDir?: string;
  /** Port on 127.0.0.1 (ignored for `external`). @default 0 (a free port) */
  readonly port?: number;
}

/** A started (or adopted) DynamoDB endpoint. */
export interface RunningDynamo {
  readonly engine: DynamoEngine;
  /** Base URL for the SDK's `endpoint` / `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** Stops the engine this module started (a no-op for `external`); idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the chosen engine on 127.0.0.1 and resolves once it accepts requests.
 *
 * @example
 * const db = await startDynamo({ engine: 'dynalite' });
 * // … new DynamoDBClient({ endpoint: db.endpoint, … }) …
 * await db.close();
 */
export async function startDynamo(options: DynamoOptions): Promise<RunningDynamo> {
  switch (options.engine) {
    case 'dynalite':
      return startDynalite({
        ...(options.persistDir !== undefined && { persistDir: options.persistDir }),
        ...(options.port !== undefined && { port: options.port }),
      });
    case 'local':
      return startDynamoDbLocal({
        ...(options.persistDir !== undefined && { persistDir: options.persistDir }),
        ...(options.port !== undefined && { port: options.port }),
      });
    case 'external':
      return adoptEndpoint(options.endpoint);
  }
}

function adoptEndpoint(endpoint: string | undefined): RunningDynamo {
  let url: URL;
  try {
    url = new URL(endpoint ?? '');
  } catch {
    throw new DynamoEngineError(
      'ENDPOINT_INVALID',
      `DynamoDB endpoint "${endpoint ?? ''}" is not a URL: pass a URL, e.g. http://127.0.0.1:8000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DynamoEngineError(
      'ENDPOINT_INVALID',
      `DynamoDB endpoint "${endpoint}" must be an http:// or https:// URL, e.g. http://127.0.0.1:8000`,
    );
  }
  return { engine: 'external', endpoint: url.href.replace(/\/$/, ''), close: async () => {} };
}
