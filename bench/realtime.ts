/**
 * `npm run bench`: the offline runtime's connection, broadcast and channel-publish throughput and latency,
 * side by side with a plain `ws` server in the same process and with the floor (plain `ws` plus one HTTP POST
 * per delivery through a relay thread, the least any emulator of the Management API must do), for each fleet
 * size. Prints a table, the floor's ceiling, the verdicts on the targets (against plain ws) and one JSON line;
 * exits 0 even when a target is missed, non-zero only on a crash.
 *
 * @example
 * npm run bench -- --clients 20,100 --messages 10 --servers baseline
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { startBaselineServer } from './realtime/baseline-server.js';
import { compare } from './realtime/comparison.js';
import { FLOOR_RELAY, startFloorServer } from './realtime/floor-server.js';
import {
  type BenchOptions,
  BenchOptionsError,
  parseBenchOptions,
  type ServerKind,
  USAGE,
} from './realtime/options.js';
import { formatFloorCeiling, formatJsonLine, formatTable, formatTargets } from './realtime/report.js';
import { runScenario, SCENARIOS, type ScenarioResult } from './realtime/scenarios.js';
import type { BenchTarget } from './realtime/target.js';
import { evaluateTargets } from './realtime/targets.js';

/** Grace period for open handles after the report is printed; past it the process exits anyway. */
const EXIT_GRACE_MS = 10_000;

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
    const server = await startFloorServer();
    log(
      `floor: plain ws on ${server.url}, ${FLOOR_RELAY.workers} relay threads POSTing to ${server.managementUrl}/@connections/{id}`,
    );
    return { kind, ...server };
  }
  // Loaded on demand: a baseline-only run never loads the runtime (nor the SDK and dynalite behind it).
  const { startRuntimeTarget } = await import('./realtime/runtime-target.js');
  return startRuntimeTarget({
    cdkOut: options.cdkOut,
    functionConcurrency: options.functionConcurrency,
    log,
  });
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

async function measure(options: BenchOptions, targets: readonly BenchTarget[]): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const clients of options.clients) {
    for (const scenario of SCENARIOS) {
      for (const target of targets) {
        results.push(await runScenario(target, scenario, clients, options, log));
      }
    }
  }
  return results;
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
  const targets: BenchTarget[] = [];
  let warmup: ScenarioResult[];
  let results: ScenarioResult[];
  try {
    // Sorted (baseline, floor, runtime), so a runtime that fails to start still leaves the order stable.
    for (const kind of [...options.servers].sort()) targets.push(await startTarget(kind, options));
    warmup = await warmUp(options, targets);
    results = await measure(options, targets);
  } finally {
    for (const target of targets) {
      await target.close().catch((error: unknown) => log(`closing ${target.kind} failed: ${String(error)}`));
    }
  }
  const diagnostics = Object.fromEntries(targets.map((t) => [t.kind, t.diagnostics?.() ?? {}]));
  for (const [kind, figures] of Object.entries(diagnostics))
    log(`${kind} diagnostics: ${JSON.stringify(figures)}`);
  const rows = compare(results);
  const verdicts = evaluateTargets(rows);
  const ceiling = formatFloorCeiling(rows);
  const settings = `messages=${options.messages} rounds=${options.rounds} payload=${options.payloadBytes}B concurrency=${options.concurrency} warmup=${options.warmupClients}x${options.warmupRounds} timeout=${options.phaseTimeoutMs}ms${options.functionConcurrency === undefined ? '' : ` function-concurrency=${options.functionConcurrency}`}`;
  process.stdout.write(
    [
      `realtime bench (${settings}; node ${process.version}, ${availableParallelism()} cpus)`,
      '',
      formatTable(rows),
      '',
      ...(ceiling === '' ? [] : [ceiling, '']),
      'targets (runtime vs plain ws):',
      formatTargets(verdicts),
      '',
      formatJsonLine({
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        node: process.version,
        cpus: availableParallelism(),
        options,
        rows,
        targets: verdicts,
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
