import { describe, expect, it } from 'vitest';
import { BenchOptionsError, DEFAULT_BENCH_OPTIONS, parseBenchOptions } from '../../bench/fanout/options.js';
import { type BenchRun, formatRuns, lossOf, postsPerSecond } from '../../bench/fanout/report.js';
import { TokenBucket } from '../../bench/fanout/simulation.js';

describe('parseBenchOptions', () => {
  it('takes the defaults without flags', () => {
    expect(parseBenchOptions([])).toEqual(DEFAULT_BENCH_OPTIONS);
  });

  it('reads sizes and numeric flags over the defaults', () => {
    const options = parseBenchOptions(['--sizes', '500, 2_000', '--latency-ms', '30', '--workers', '4']);

    expect(options).toMatchObject({ sizes: [500, 2000], latencyMs: 30, workers: 4, concurrency: 24 });
  });

  it.each([
    [['--workers', '0'], '--workers must be an integer of at least 1, got "0"'],
    [['--latency-ms', 'x'], '--latency-ms must be an integer of at least 0, got "x"'],
    [['--sizes', '10,-1'], '--sizes must be an integer of at least 1, got "-1"'],
  ])('fails %j', (args, message) => {
    expect(() => parseBenchOptions(args)).toThrow(new BenchOptionsError(message));
  });

  it('fails an unknown flag', () => {
    expect(() => parseBenchOptions(['--nope', '1'])).toThrow(BenchOptionsError);
  });
});

describe('TokenBucket', () => {
  it('admits its burst at once, then its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(1_000, 3, () => now);

    const burst = [bucket.take(), bucket.take(), bucket.take(), bucket.take()];
    now += 2; // 2 ms at 1,000/s: 2 more tokens
    const later = [bucket.take(), bucket.take(), bucket.take()];

    expect(burst).toEqual([true, true, true, false]);
    expect(later).toEqual([true, true, false]);
  });
});

describe('bench:fanout report', () => {
  const run: BenchRun = {
    size: 10_000,
    mode: 'queued',
    ackMs: 12,
    lastDeliveryMs: 1_250,
    floorMs: 1_000,
    delivered: 9_990,
    posts: 10_100,
    throttled: 110,
    lambdaSeconds: 9.5,
    invocations: 11,
    slices: 10,
    deadLettered: 0,
    timedOut: true,
  };

  it('computes posts/s over the time to the last delivery, and the loss', () => {
    expect(postsPerSecond(run)).toBeCloseTo(7_992, 0);
    expect(lossOf(run)).toBe(10);
  });

  it('prints one row per size with the floor beside the time, and flags a run that timed out', () => {
    const table = formatRuns([run], DEFAULT_BENCH_OPTIONS);

    expect(table).toContain('| 10,000     | queued | 12     | 1.25 (timed out) | 1.00    | 7,992');
    expect(table).toContain('10 workers × 24 in flight');
  });
});
