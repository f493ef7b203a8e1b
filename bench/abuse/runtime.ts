/**
 * The offline runtime for the abuse benchmarks (`npm run fuzz`, `npm run soak`): the product stack synthesized
 * as `npm run bench` does it, served on a random port with the dynalite engine, with invocation counts by
 * route and outcome, and the table's client for checking what is left in it.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { connectUrl } from '../../local/connect-url.js';
import { createLocalDynamoClient } from '../../local/dynamodb/index.js';
import type { InvocationLog } from '../../local/model.js';
import { type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { synthesize } from '../realtime/runtime-target.js';

/** A started runtime, ready for clients. */
export interface AbuseRuntime {
  readonly api: RuntimeApi;
  readonly tableName: string;
  readonly dynamodb: DynamoDBClient;
  /** Invocations so far, by `"<route> <outcome class>"`. */
  readonly invocations: Map<string, number>;
  /**
   * The URL a client connects with: `connectUrl` with the `clientId`, and with auth on a token whose `sub` is
   * that client (the dev token's grants), so the per-user connection cap counts each client as its own user.
   */
  urlFor(clientId: string): Promise<string>;
  /** Runs `$disconnect` invocations finished so far. */
  disconnects(): number;
  close(): Promise<void>;
}

/** Starts the runtime on 127.0.0.1, synthesizing the stack unless `cdkOut` names an assembly. */
export async function startAbuseRuntime(
  cdkOut: string | undefined,
  log: (line: string) => void,
  options: { readonly ttlSweepIntervalMs?: number } = {},
): Promise<AbuseRuntime> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let tempDir: string | undefined;
  const stateDir = await mkdtemp(join(tmpdir(), 'realtime-abuse-state-'));
  let assembly = cdkOut;
  if (assembly === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'realtime-abuse-'));
    assembly = tempDir;
    log(`synthesizing the stack into ${assembly}`);
    await synthesize(assembly);
  }
  const invocations = new Map<string, number>();
  let disconnects = 0;
  const onInvocation = (entry: InvocationLog): void => {
    const key = `${entry.routeKey} ${entry.outcome.split(' ')[0] ?? entry.outcome}`;
    invocations.set(key, (invocations.get(key) ?? 0) + 1);
    if (entry.routeKey === '$disconnect') disconnects += 1;
  };
  try {
    const runtime = await startRuntime({
      cdkOut: assembly,
      port: 0,
      host: '127.0.0.1',
      dynamodb: { engine: 'dynalite' },
      onInvocation,
      onFunctionLog: () => {},
      stateDir,
      ...(options.ttlSweepIntervalMs !== undefined && { ttlSweepIntervalMs: options.ttlSweepIntervalMs }),
    });
    const api = runtime.apis[0];
    const table = runtime.tables[0];
    if (api === undefined || table === undefined) throw new Error(`no WebSocket API or table in ${assembly}`);
    const dynamodb = createLocalDynamoClient(runtime.dynamodb.endpoint);
    log(`runtime: ${api.url}, table ${table.tableName}`);
    // With auth on, connectUrl signs each client a token of its own (the client id as the user), so the dev
    // user's `MAX_CONNECTIONS_PER_USER` never refuses a fleet.
    const urlFor = (clientId: string): Promise<string> => connectUrl(api, { clientId });
    return {
      api,
      tableName: table.tableName,
      dynamodb,
      invocations,
      urlFor,
      disconnects: () => disconnects,
      async close() {
        dynamodb.destroy();
        try {
          await runtime.close();
        } finally {
          if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
          await rm(stateDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
