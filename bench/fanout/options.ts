/**
 * Options of `npm run bench:fanout`: the simulated `@connections` endpoint (latency, jitter, account limit),
 * the queue and workers, and the audience sizes to run.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FANOUT_INLINE_LIMIT, DEFAULT_FANOUT_SLICE_SIZE } from '../../lambdas/core/constants.js';

/** Everything one run of the benchmark depends on. */
export interface FanOutBenchOptions {
  /** Audience sizes, one run each. */
  readonly sizes: readonly number[];
  /** Mean latency of one `@connections` POST, ms. */
  readonly latencyMs: number;
  /** Each POST takes latency ± up to this, uniformly, ms. */
  readonly jitterMs: number;
  /** The account's `@connections` rate (token bucket refill per second), shared by every function. */
  readonly accountRate: number;
  /** The bucket's size (burst), requests. */
  readonly accountBurst: number;
  /** Simulated worker invocations at once (the event source's maximum concurrency). */
  readonly workers: number;
  /** POSTs in flight per invocation (`FANOUT_CONCURRENCY`). */
  readonly concurrency: number;
  readonly inlineLimit: number;
  readonly sliceSize: number;
  /** From a message's enqueue to a worker's invocation, ms (SQS + the event source's poll). */
  readonly queueLatencyMs: number;
  /** One DynamoDB page read, ms. */
  readonly pageLatencyMs: number;
  /** A failed slice comes back after this long (the visibility timeout, shortened), ms. */
  readonly visibilityMs: number;
  readonly maxReceiveCount: number;
  /** The worker's timeout, ms (its deadline is this minus the safety margin). */
  readonly workerTimeoutMs: number;
  /** Give up on a run after this long, ms. */
  readonly runTimeoutMs: number;
}

/** The defaults: AWS-like latency and the default account limit. */
export const DEFAULT_BENCH_OPTIONS: FanOutBenchOptions = Object.freeze({
  sizes: [1_000, 10_000, 100_000],
  latencyMs: 20,
  jitterMs: 10,
  accountRate: 10_000,
  accountBurst: 1_000,
  workers: 10,
  concurrency: 24,
  inlineLimit: DEFAULT_FANOUT_INLINE_LIMIT,
  sliceSize: DEFAULT_FANOUT_SLICE_SIZE,
  queueLatencyMs: 20,
  pageLatencyMs: 10,
  visibilityMs: 1_000,
  maxReceiveCount: 5,
  workerTimeoutMs: 30_000,
  runTimeoutMs: 60_000,
});

/** A flag with a bad value. */
export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

const FLAGS: Record<string, keyof FanOutBenchOptions> = {
  'latency-ms': 'latencyMs',
  'jitter-ms': 'jitterMs',
  'account-rate': 'accountRate',
  'account-burst': 'accountBurst',
  workers: 'workers',
  concurrency: 'concurrency',
  'inline-limit': 'inlineLimit',
  'slice-size': 'sliceSize',
  'queue-latency-ms': 'queueLatencyMs',
  'page-latency-ms': 'pageLatencyMs',
  'visibility-ms': 'visibilityMs',
  'max-receive-count': 'maxReceiveCount',
  'worker-timeout-ms': 'workerTimeoutMs',
  'run-timeout-ms': 'runTimeoutMs',
};

/** Flags that must be at least 1 (the others may be 0). */
const POSITIVE = new Set<keyof FanOutBenchOptions>([
  'accountRate',
  'accountBurst',
  'workers',
  'concurrency',
  'sliceSize',
  'maxReceiveCount',
  'workerTimeoutMs',
  'runTimeoutMs',
]);

const number = (flag: string, raw: string, min: number): number => {
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min) {
    throw new BenchOptionsError(
      `--${flag} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
};

/**
 * Parses `--sizes 1000,10000` and the numeric flags of {@link FLAGS} over {@link DEFAULT_BENCH_OPTIONS}.
 *
 * @throws {BenchOptionsError} naming the flag and the bad value.
 * @example
 * parseBenchOptions(['--sizes', '10000', '--latency-ms', '30']);
 */
export const parseBenchOptions = (args: readonly string[]): FanOutBenchOptions => {
  const options = Object.fromEntries([
    ['sizes', { type: 'string' as const }],
    ...Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
  ]);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...args], options, strict: true }).values;
  } catch (error) {
    throw new BenchOptionsError(error instanceof Error ? error.message : String(error));
  }
  const result: Record<string, unknown> = { ...DEFAULT_BENCH_OPTIONS };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const raw = values[flag];
    if (typeof raw === 'string') result[key] = number(flag, raw, POSITIVE.has(key) ? 1 : 0);
  }
  if (typeof values.sizes === 'string') {
    result.sizes = values.sizes.split(',').map((size) => number('sizes', size.trim(), 1));
  }
  return result as unknown as FanOutBenchOptions;
};
