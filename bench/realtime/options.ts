/**
 * Options of `npm run bench`: defaults in one place, then environment variables, then command-line flags.
 *
 * @module
 */
import { parseArgs } from 'node:util';

/**
 * Which server a measurement ran against: the offline runtime, the plain `ws` baseline, or the floor (plain
 * `ws` plus one `PostToConnection` per delivery through the handlers' SDK client: the least any faithful
 * emulator running these handlers can cost).
 */
export type ServerKind = 'runtime' | 'baseline' | 'floor';

/** Every server kind, in the order `--servers` lists them. */
export const SERVER_KINDS: readonly ServerKind[] = ['runtime', 'baseline', 'floor'];

/** Everything that shapes one benchmark run. Every count and wait is bounded. */
export interface BenchOptions {
  /**
   * Fleet sizes to measure, in order. A size that does not fit (file descriptors, memory, or the time budget
   * at the pace of the previous size) is skipped with the reason. @default [100, 1000, 5000]
   */
  readonly clients: readonly number[];
  /** Messages the single sender or publisher sends per round. @default 20 */
  readonly messages: number;
  /** Rounds per scenario; their figures are pooled. @default 1 */
  readonly rounds: number;
  /**
   * WebSocket handshakes in flight at once while the fleet opens: many, as browsers reconnecting after a
   * deploy are. @default 200
   */
  readonly concurrency: number;
  /** Hard deadline of each phase (open, subscribe, deliver, close), in ms. @default 60000 */
  readonly phaseTimeoutMs: number;
  /** A delivery phase ends early when nothing arrived for this long after the last send, in ms. @default 15000 */
  readonly idleTimeoutMs: number;
  /** Length of the padding string in every message's `data`, so both servers carry the same size. @default 64 */
  readonly payloadBytes: number;
  /**
   * Size of the unmeasured warm-up fleet that runs both scenarios once per server before measuring, so the
   * figures describe warm Lambda workers rather than cold starts (those are `npm run bench:lambdas`'s job).
   * 0 disables the warm-up. @default 300
   */
  readonly warmupClients: number;
  /** Servers to measure. @default ['runtime', 'baseline', 'floor'] */
  readonly servers: readonly ServerKind[];
  /** An existing cloud assembly to serve instead of synthesizing one. @default undefined (synthesize) */
  readonly cdkOut: string | undefined;
  /** Rounds of the warm-up per scenario. @default 1 */
  readonly warmupRounds: number;
  /**
   * Warm workers per Lambda function in the runtime (its `--concurrency`). @default undefined (the runtime's
   * own default: one per core, at least 2)
   */
  readonly functionConcurrency: number | undefined;
  /**
   * Time budget of the whole run, in s: a fleet size whose estimated duration (the previous size's, scaled by
   * the number of clients) would pass it is skipped, with the estimate as the reason. @default 300
   */
  readonly budgetSeconds: number;
  /**
   * Write CPU profiles here: this process's main thread over the measured part (`main-*.cpuprofile`) and every
   * Lambda execution environment of the runtime (`lambda-*.cpuprofile`, through `NODE_OPTIONS`), then print a
   * summary of where the time went. @default undefined (no profiling)
   */
  readonly cpuProfileDir: string | undefined;
}

/** The defaults, before environment variables and flags are merged on top. */
export const DEFAULT_OPTIONS: BenchOptions = {
  clients: [100, 1000, 5000],
  messages: 20,
  rounds: 1,
  concurrency: 200,
  phaseTimeoutMs: 60_000,
  idleTimeoutMs: 15_000,
  payloadBytes: 64,
  warmupClients: 300,
  servers: ['runtime', 'baseline', 'floor'],
  cdkOut: undefined,
  warmupRounds: 1,
  functionConcurrency: undefined,
  budgetSeconds: 300,
  cpuProfileDir: undefined,
};

/** Upper bounds that keep a run finite on a small machine; larger values are rejected, not clamped. */
export const LIMITS = {
  clients: 5000,
  messages: 1000,
  rounds: 20,
  concurrency: 500,
  phaseTimeoutMs: 600_000,
  payloadBytes: 30_000,
  functionConcurrency: 64,
  budgetSeconds: 3600,
} as const;

/** Thrown for a flag or environment variable that is malformed or out of bounds. */
export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

const FLAGS = {
  clients: { type: 'string', env: 'BENCH_CLIENTS' },
  messages: { type: 'string', env: 'BENCH_MESSAGES' },
  rounds: { type: 'string', env: 'BENCH_ROUNDS' },
  concurrency: { type: 'string', env: 'BENCH_CONCURRENCY' },
  'timeout-ms': { type: 'string', env: 'BENCH_TIMEOUT_MS' },
  'idle-ms': { type: 'string', env: 'BENCH_IDLE_MS' },
  'payload-bytes': { type: 'string', env: 'BENCH_PAYLOAD_BYTES' },
  'warmup-clients': { type: 'string', env: 'BENCH_WARMUP_CLIENTS' },
  servers: { type: 'string', env: 'BENCH_SERVERS' },
  'cdk-out': { type: 'string', env: 'BENCH_CDK_OUT' },
  'warmup-rounds': { type: 'string', env: 'BENCH_WARMUP_ROUNDS' },
  'function-concurrency': { type: 'string', env: 'BENCH_FUNCTION_CONCURRENCY' },
  'budget-s': { type: 'string', env: 'BENCH_BUDGET_S' },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF' },
} as const;

type FlagName = keyof typeof FLAGS;

/** One line per flag, for `--help`. */
export const USAGE = `Usage: npm run bench -- [flags]   (each flag also reads the environment variable shown)
  --clients 100,1000,5000 fleet sizes (BENCH_CLIENTS, max ${LIMITS.clients}); one that does not fit is skipped
  --messages 20           messages per round (BENCH_MESSAGES)
  --rounds 1              rounds per scenario, pooled (BENCH_ROUNDS)
  --concurrency 200       handshakes in flight while a fleet opens (BENCH_CONCURRENCY)
  --timeout-ms 60000      deadline per phase (BENCH_TIMEOUT_MS)
  --idle-ms 15000         end a delivery phase after this long without a delivery (BENCH_IDLE_MS)
  --payload-bytes 64      padding per message (BENCH_PAYLOAD_BYTES)
  --warmup-clients 300    unmeasured warm-up fleet per server, 0 = none (BENCH_WARMUP_CLIENTS)
  --servers runtime,baseline,floor  servers to measure (BENCH_SERVERS)
  --cdk-out DIR           serve this cloud assembly instead of synthesizing (BENCH_CDK_OUT)
  --warmup-rounds 1       warm-up rounds per scenario (BENCH_WARMUP_ROUNDS)
  --function-concurrency N  warm workers per Lambda function in the runtime (BENCH_FUNCTION_CONCURRENCY, max ${LIMITS.functionConcurrency})
  --budget-s 300          time budget of the run; a fleet size estimated to pass it is skipped (BENCH_BUDGET_S)
  --cpu-prof DIR          write CPU profiles of this process and of every Lambda process to DIR (BENCH_CPU_PROF)`;

function boundedInt(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new BenchOptionsError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function positiveInt(name: string, raw: string, max: number): number {
  return boundedInt(name, raw, 1, max);
}

function parseServers(raw: string): ServerKind[] {
  const servers = raw.split(',').map((s) => s.trim());
  for (const server of servers) {
    if (!(SERVER_KINDS as readonly string[]).includes(server)) {
      throw new BenchOptionsError(
        `servers must be a comma-separated subset of ${SERVER_KINDS.join(',')}, got ${JSON.stringify(raw)}`,
      );
    }
  }
  return [...new Set(servers as ServerKind[])];
}

/**
 * Merges the defaults, then `BENCH_*` environment variables, then flags; throws {@link BenchOptionsError}
 * with the offending value when one is malformed, and returns `'help'` for `--help`.
 *
 * @example
 * parseBenchOptions(['--clients', '20,100', '--rounds', '2'], process.env);
 */
export function parseBenchOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions | 'help' {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type }]),
  ) as Record<FlagName, { type: 'string' }>;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BenchOptionsError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (parsed.values.help === true) return 'help';
  const raw = (name: FlagName): string | undefined => {
    const fromFlag = parsed.values[name];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[FLAGS[name].env];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const int = (name: FlagName, fallback: number, max: number): number => {
    const value = raw(name);
    return value === undefined ? fallback : positiveInt(name, value, max);
  };
  const clientsRaw = raw('clients');
  const serversRaw = raw('servers');
  return {
    clients:
      clientsRaw === undefined
        ? DEFAULT_OPTIONS.clients
        : clientsRaw.split(',').map((n) => positiveInt('clients', n, LIMITS.clients)),
    messages: int('messages', DEFAULT_OPTIONS.messages, LIMITS.messages),
    rounds: int('rounds', DEFAULT_OPTIONS.rounds, LIMITS.rounds),
    concurrency: int('concurrency', DEFAULT_OPTIONS.concurrency, LIMITS.concurrency),
    phaseTimeoutMs: int('timeout-ms', DEFAULT_OPTIONS.phaseTimeoutMs, LIMITS.phaseTimeoutMs),
    idleTimeoutMs: int('idle-ms', DEFAULT_OPTIONS.idleTimeoutMs, LIMITS.phaseTimeoutMs),
    payloadBytes: int('payload-bytes', DEFAULT_OPTIONS.payloadBytes, LIMITS.payloadBytes),
    warmupClients: ((value) =>
      value === undefined
        ? DEFAULT_OPTIONS.warmupClients
        : boundedInt('warmup-clients', value, 0, LIMITS.clients))(raw('warmup-clients')),
    servers: serversRaw === undefined ? DEFAULT_OPTIONS.servers : parseServers(serversRaw),
    cdkOut: raw('cdk-out') ?? DEFAULT_OPTIONS.cdkOut,
    warmupRounds: int('warmup-rounds', DEFAULT_OPTIONS.warmupRounds, LIMITS.rounds),
    functionConcurrency: ((value) =>
      value === undefined
        ? DEFAULT_OPTIONS.functionConcurrency
        : positiveInt('function-concurrency', value, LIMITS.functionConcurrency))(
      raw('function-concurrency'),
    ),
    budgetSeconds: int('budget-s', DEFAULT_OPTIONS.budgetSeconds, LIMITS.budgetSeconds),
    cpuProfileDir: raw('cpu-prof') ?? DEFAULT_OPTIONS.cpuProfileDir,
  };
}
