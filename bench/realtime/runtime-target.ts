/**
 * The offline runtime as a benchmark target: synthesizes the product stack (unless an assembly is given),
 * starts the runtime in this process on a random port with the dynalite engine, and counts `$connect` /
 * `$disconnect` invocations so a scenario can wait until the runtime has processed every disconnect. It reads
 * the stage's throttling from the assembly, so a scenario can let the token bucket refill before its fleet
 * opens. With a profile directory, every Lambda process is profiled (see `lambda-profiling.ts`).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAssembly } from '../../local/assembly/index.js';
import { connectUrl } from '../../local/connect-url.js';
import type { InvocationLog } from '../../local/model.js';
import { startRuntime } from '../../local/runtime.js';
import { addProfilerToAssembly } from './lambda-profiling.js';
import { summarizeLatencies } from './stats.js';
import { type BenchTarget, refillMsOf } from './target.js';

/** Synthesis of the product stack is bounded too; `cdk synth` normally takes ~10 s here. */
const SYNTH_TIMEOUT_MS = 180_000;

/** Invocation durations kept per route for the diagnostics (a bound on memory, not a sample). */
const MAX_DURATIONS_PER_ROUTE = 100_000;

/** The repository root, where `bin/app.ts` lives. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options of {@link startRuntimeTarget}. */
export interface RuntimeTargetOptions {
  /** An existing cloud assembly; when undefined, the stack is synthesized into a temporary directory. */
  readonly cdkOut: string | undefined;
  /** Warm workers per function; undefined keeps the runtime's default. */
  readonly functionConcurrency?: number | undefined;
  /** Profile every Lambda process into this directory; undefined: no profiling. */
  readonly cpuProfileDir?: string | undefined;
  readonly log: (line: string) => void;
}

/** Synthesizes the product stack (`bin/app.ts`) into `outDir`, bounded by {@link SYNTH_TIMEOUT_MS}. */
export function synthesize(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_OUTDIR: outDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SYNTH_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`synth failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** A route's outcome reduced to its first word, so counts stay few: `200`, `rejected`, `error`, `timeout`. */
function outcomeClass(outcome: string): string {
  return outcome.split(' ')[0] ?? outcome;
}

/** Starts the runtime on 127.0.0.1 with a random port and the in-memory dynalite engine. */
export async function startRuntimeTarget(options: RuntimeTargetOptions): Promise<BenchTarget> {
  const { log } = options;
  // As `npm start` does: the SDK's Node 20 deprecation notice would otherwise interleave with the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let tempDir: string | undefined;
  let cdkOut = options.cdkOut;
  if (cdkOut === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'realtime-bench-'));
    cdkOut = tempDir;
    log(`runtime: synthesizing the stack into ${cdkOut}`);
    await synthesize(cdkOut);
  } else if (options.cpuProfileDir !== undefined) {
    // The profiler goes into the templates: never into an assembly the benchmark does not own.
    tempDir = await mkdtemp(join(tmpdir(), 'realtime-bench-'));
    await cp(cdkOut, tempDir, { recursive: true });
    cdkOut = tempDir;
  }
  if (options.cpuProfileDir !== undefined) {
    const functions = await addProfilerToAssembly(cdkOut, options.cpuProfileDir);
    log(`runtime: profiling ${functions} functions into ${options.cpuProfileDir}`);
  }
  const counts = new Map<string, number>();
  const durations = new Map<string, number[]>();
  const completed = new Map<string, number>();
  let accepted = 0;
  let disconnected = 0;
  // The `$connect` authorizer logs under `$connect` too; it is counted as a route of its own.
  let authorizerId: string | undefined;
  const onInvocation = (logged: InvocationLog): void => {
    const entry =
      logged.routeKey === '$connect' && logged.functionId === authorizerId
        ? { ...logged, routeKey: '$connect authorizer' }
        : logged;
    const key = `${entry.routeKey} ${outcomeClass(entry.outcome)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    completed.set(entry.routeKey, (completed.get(entry.routeKey) ?? 0) + 1);
    const routeDurations = durations.get(entry.routeKey) ?? [];
    if (routeDurations.length < MAX_DURATIONS_PER_ROUTE) routeDurations.push(entry.durationMs);
    durations.set(entry.routeKey, routeDurations);
    if (entry.routeKey === '$connect' && entry.outcome === '200') accepted += 1;
    if (entry.routeKey === '$disconnect') disconnected += 1;
  };
  try {
    const runtime = await startRuntime({
      cdkOut,
      port: 0,
      host: '127.0.0.1',
      dynamodb: { engine: 'dynalite' },
      onInvocation,
      onFunctionLog: () => {},
      ...(options.functionConcurrency !== undefined && { functionConcurrency: options.functionConcurrency }),
    });
    const api = runtime.apis[0];
    if (api === undefined) throw new Error(`the assembly in ${cdkOut} has no WebSocket API`);
    const model = (await loadAssembly(cdkOut)).stacks.flatMap((stack) => stack.apis)[0];
    authorizerId = model?.routes.find((route) => route.routeKey === '$connect')?.authorizer?.functionId;
    // Handshakes take from `$connect`'s own bucket when it has one, messages from the stage's: wait for both.
    const refillMs = Math.max(refillMsOf(model?.throttle), refillMsOf(model?.routeThrottles?.$connect));
    log(
      `runtime: ${api.url} (management ${api.managementUrl}, dynamodb ${runtime.dynamodb.endpoint}, throttle ${JSON.stringify(model?.throttle ?? {})}, route throttles ${JSON.stringify(model?.routeThrottles ?? {})}: ${refillMs} ms to refill)`,
    );
    return {
      kind: 'runtime',
      url: await connectUrl(api),
      refillMs,
      openConnections: () => accepted - disconnected,
      completedRequests: (routeKey) => completed.get(routeKey) ?? 0,
      // Invocation counts by route and outcome class, e.g. `{ "$connect 200": 1100, "sendmessage error": 2 }`.
      diagnostics: () => ({
        invocations: Object.fromEntries(counts),
        durationMs: Object.fromEntries(
          [...durations].map(([route, samples]) => [route, summarizeLatencies(samples)]),
        ),
      }),
      async close() {
        try {
          await runtime.close();
        } finally {
          if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}
