/**
 * `npm run bench`: the offline runtime's connection, broadcast and channel-publish throughput and latency,
 * side by side with a plain `ws` server in the same process and with the floor (plain `ws` plus one
 * `PostToConnection` per delivery through the handlers' own SDK client, from relay threads: the least any
 * faithful emulator running these handlers can cost), for each fleet size that fits. Prints a table, the
 * floor's cost over plain ws, the verdicts on the targets (PASS/MISS), the CPU per delivery and per connection,
 * what each fleet size cost the machine (or which limit stopped it), and one JSON line; with `--cpu-prof DIR`
 * also where the time went. Exits 0 even when a target is missed, non-zero only on a crash.
 *
 * @example
 * npm run bench -- --clients 20,100 --messages 10 --servers baseline
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { availableParallelism, freemem } from 'node:os';
import { join } from 'node:path';
import { startBaselineServer } from './realtime/baseline-server.js';
import { compare } from './realtime/comparison.js';
import {
  formatBusyByFunction,
  formatProfileSummary,
  lambdaProfileName,
  readProfiles,
  summarizeProfiles,
} from './realtime/cpu-profile.js';
import { FLOOR_RELAY, startFloorServer } from './realtime/floor-server.js';
import { type FleetCost, type FleetRecord, fleetLimit } from './realtime/limits.js';
import {
  type BenchOptions,
  BenchOptionsError,
  parseBenchOptions,
  type ServerKind,
  USAGE,
} from './realtime/options.js';
import {
  formatCpu,
  formatFleets,
  formatFloorCeiling,
  formatJsonLine,
  formatTable,
  formatTargets,
} from './realtime/report.js';
import { openFileLimit, sampleResources } from './realtime/resources.js';
import { runScenario, SCENARIOS, type ScenarioResult } from './realtime/scenarios.js';
import type { BenchTarget } from './realtime/target.js';
import { evaluateTargets } from './realtime/targets.js';

/** Grace period for open handles after the report is printed; past it the process exits anyway. */
const EXIT_GRACE_MS = 10_000;

/** With `--cpu-prof`, how long to wait before closing the runtime so every Lambda process flushes its profile. */
const LAMBDA_PROFILE_FLUSH_WAIT_MS = 6_000;

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

async function startTarget(kind: ServerKind, options: BenchOptions): Promise<BenchTarget> {
  if (kind === 'baseline') {
    const server = await startBaselineServer();
    log(`baseline: plain ws on ${server.url}`);
    return { kind, ...server };
  }
  if (kind === 'floor') {
    const server = await startFloorServer({
      relayThreads: options.functionConcurrency ?? FLOOR_RELAY.defaultWorkers,
    });
    log(
      `floor: plain ws on ${server.url}, ${server.relayThreads} relay threads posting with the handlers' SDK client (${FLOOR_RELAY.inFlight} in flight each) to ${server.managementUrl}/prod/@connections/{id}`,
    );
    return { kind, ...server };
  }
  // Loaded on demand: a baseline-only run never loads the runtime (nor the SDK and dynalite behind it).
  const { startRuntimeTarget } = await import('./realtime/runtime-target.js');
  return startRuntimeTarget({
    cdkOut: options.cdkOut,
    functionConcurrency: options.functionConcurrency,
    cpuProfileDir: options.cpuProfileDir,
    log,
  });
}

/** Profiles this process's main thread through the inspector, from `start()` until `stop()` writes the file. */
class MainThreadProfiler {
  private readonly session = new Session();

  private post<T>(method: string, params: object = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params, (error, result) =>
        error === null ? resolve(result as T) : reject(error),
      );
    });
  }

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 1000 });
    await this.post('Profiler.start');
  }

  /** Stops profiling and writes `main-<pid>.cpuprofile` into `dir`. */
  async stop(dir: string): Promise<void> {
    const { profile } = await this.post<{ profile: unknown }>('Profiler.stop');
    this.session.disconnect();
    writeFileSync(join(dir, `main-${process.pid}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Runs both scenarios `warmupRounds` times per server on the warm-up fleet, unmeasured, so every Lambda pool is warm. */
async function warmUp(options: BenchOptions, targets: readonly BenchTarget[]): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  if (options.warmupClients === 0) return results;
  const warm = { ...options, rounds: options.warmupRounds };
  for (const target of targets) {
    for (const scenario of SCENARIOS) {
      results.push(
        await runScenario(target, scenario, options.warmupClients, warm, (l) => log(`warm-up ${l}`)),
      );
    }
  }
  return results;
}

/**
 * Runs every scenario on every server for each fleet size that fits (see {@link fleetLimit}); a size that does
 * not is skipped with the limit that stopped it.
 */
async function measure(
  options: BenchOptions,
  targets: readonly BenchTarget[],
  runStarted: number,
): Promise<{ results: ScenarioResult[]; fleets: FleetRecord[] }> {
  const results: ScenarioResult[] = [];
  const fleets: FleetRecord[] = [];
  let previous: FleetCost | undefined;
  for (const clients of options.clients) {
    const now = sampleResources();
    const skipped = fleetLimit({
      clients,
      openFileLimit: openFileLimit(),
      openFiles: now?.openFiles ?? 0,
      freeMemMb: freemem() / (1024 * 1024),
      elapsedMs: performance.now() - runStarted,
      budgetMs: options.budgetSeconds * 1000,
      previous,
    });
    if (skipped !== undefined) {
      log(`N=${clients} skipped: ${skipped}`);
      fleets.push({ clients, skipped });
      continue;
    }
    const started = performance.now();
    const sized: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) {
      for (const target of targets) {
        sized.push(await runScenario(target, scenario, clients, options, log));
      }
    }
    results.push(...sized);
    const durationMs = performance.now() - started;
    const peak = (pick: (p: NonNullable<ScenarioResult['peak']>) => number): number =>
      Math.max(0, ...sized.map((r) => (r.peak === undefined ? 0 : pick(r.peak))));
    const peakRssMb = peak((p) => p.rssMb);
    const peakChildrenRssMb = peak((p) => p.childrenRssMb);
    fleets.push({
      clients,
      durationMs,
      peakOpenFiles: peak((p) => p.openFiles),
      openFileLimit: openFileLimit(),
      peakRssMb,
      peakChildrenRssMb,
    });
    if (previous === undefined || clients > previous.clients) {
      const fixedMs = sized.reduce((total, r) => total + (r.pausedMs ?? 0), 0);
      const startRssMb = (now?.rssMb ?? 0) + (now?.childrenRssMb ?? 0);
      previous = {
        clients,
        scalableMs: durationMs - fixedMs,
        fixedMs,
        memoryGrowthMb: peakRssMb + peakChildrenRssMb - startRssMb,
      };
    }
  }
  return { results, fleets };
}

/**
 * The `--cpu-prof` summaries: this process's main thread over the measured part, and the Lambda processes
 * without each process's first window (its cold start), with their busy time by function.
 */
function profileSummaries(dir: string): string[] {
  const lines: string[] = [];
  const main = readProfiles(dir, 'main-');
  if (main.length > 0) {
    const title = 'bench process, main thread (clients, servers, gateway, Management API), measured part';
    lines.push(formatProfileSummary(title, summarizeProfiles(main.map((f) => f.profile))), '');
  }
  const warm = readProfiles(dir, 'lambda-', (file) => (lambdaProfileName(file)?.window ?? 0) > 0);
  if (warm.length > 0) {
    const title = `Lambda processes, ${warm.length} profile windows after each process's first (cold start) one, warm-up included`;
    lines.push(
      formatProfileSummary(title, summarizeProfiles(warm.map((f) => f.profile))),
      '  busy time by function:',
      formatBusyByFunction(warm),
      '',
    );
  }
  return lines;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: BenchOptions | 'help';
  try {
    parsed = parseBenchOptions(argv, process.env);
  } catch (error) {
    if (!(error instanceof BenchOptionsError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const started = new Date();
  const runStarted = performance.now();
  const targets: BenchTarget[] = [];
  const profileDir = options.cpuProfileDir;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  let warmup: ScenarioResult[];
  let results: ScenarioResult[];
  let fleets: FleetRecord[];
  try {
    // Sorted (baseline, floor, runtime), so a runtime that fails to start still leaves the order stable.
    for (const kind of [...options.servers].sort()) targets.push(await startTarget(kind, options));
    warmup = await warmUp(options, targets);
    const profiler = profileDir === undefined ? undefined : new MainThreadProfiler();
    await profiler?.start();
    ({ results, fleets } = await measure(options, targets, runStarted));
    if (profiler !== undefined && profileDir !== undefined) {
      await profiler.stop(profileDir);
      if (targets.some((t) => t.kind === 'runtime')) {
        await new Promise((resolve) => setTimeout(resolve, LAMBDA_PROFILE_FLUSH_WAIT_MS));
      }
    }
  } finally {
    for (const target of targets) {
      await target.close().catch((error: unknown) => log(`closing ${target.kind} failed: ${String(error)}`));
    }
  }
  const diagnostics = Object.fromEntries(targets.map((t) => [t.kind, t.diagnostics?.() ?? {}]));
  for (const [kind, figures] of Object.entries(diagnostics))
    log(`${kind} diagnostics: ${JSON.stringify(figures)}`);
  const rows = compare(results);
  const skipped = Object.fromEntries(
    fleets.flatMap((fleet) => (fleet.skipped === undefined ? [] : [[fleet.clients, fleet.skipped]])),
  );
  const verdicts = evaluateTargets(rows, skipped);
  const ceiling = formatFloorCeiling(rows);
  const cpu = formatCpu(results);
  const profiles = profileDir === undefined ? [] : profileSummaries(profileDir);
  const settings = `messages=${options.messages} rounds=${options.rounds} payload=${options.payloadBytes}B concurrency=${options.concurrency} warmup=${options.warmupClients}x${options.warmupRounds} timeout=${options.phaseTimeoutMs}ms budget=${options.budgetSeconds}s${options.functionConcurrency === undefined ? '' : ` function-concurrency=${options.functionConcurrency}`}`;
  process.stdout.write(
    [
      `realtime bench (${settings}; node ${process.version}, ${availableParallelism()} cpus)`,
      '',
      formatTable(rows),
      '',
      ...(ceiling === '' ? [] : [ceiling, '']),
      'targets (runtime vs the floor, and absolute):',
      formatTargets(verdicts),
      '',
      ...(cpu === '' ? [] : [cpu, '']),
      formatFleets(fleets),
      '',
      ...profiles,
      formatJsonLine({
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        node: process.version,
        cpus: availableParallelism(),
        options,
        rows,
        targets: verdicts,
        fleets,
        results,
        warmup,
        diagnostics,
      }),
      '',
    ].join('\n'),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
