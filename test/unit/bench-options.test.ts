import { describe, expect, it } from 'vitest';
import {
  BenchOptionsError,
  DEFAULT_OPTIONS,
  parseBenchOptions,
  USAGE,
} from '../../bench/realtime/options.js';

describe('parseBenchOptions', () => {
  it('returns the defaults when no flag and no environment variable is set', () => {
    expect(parseBenchOptions([], {})).toEqual(DEFAULT_OPTIONS);
  });

  it('reads fleet sizes and counts from flags', () => {
    const options = parseBenchOptions(
      ['--clients', '20,100', '--messages', '5', '--rounds', '2', '--servers', 'baseline'],
      {},
    );

    expect(options).toMatchObject({ clients: [20, 100], messages: 5, rounds: 2, servers: ['baseline'] });
  });

  it('reads BENCH_* environment variables, and lets a flag override them', () => {
    const env = { BENCH_CLIENTS: '30', BENCH_MESSAGES: '7', BENCH_TIMEOUT_MS: '5000' };

    const options = parseBenchOptions(['--messages', '9'], env);

    expect(options).toMatchObject({ clients: [30], messages: 9, phaseTimeoutMs: 5000 });
  });

  it('accepts 0 warm-up clients to turn the warm-up off, but not a negative count', () => {
    expect(parseBenchOptions(['--warmup-clients', '0'], {})).toMatchObject({ warmupClients: 0 });
    expect(() => parseBenchOptions(['--warmup-clients=-1'], {})).toThrow('from 0 to 5000');
  });

  it('reads the warm-up rounds and the runtime function concurrency, from flags or the environment', () => {
    const options = parseBenchOptions(['--warmup-rounds', '3'], { BENCH_FUNCTION_CONCURRENCY: '4' });

    expect(options).toMatchObject({ warmupRounds: 3, functionConcurrency: 4 });
    expect(parseBenchOptions([], {})).toMatchObject({ warmupRounds: 1, functionConcurrency: undefined });
  });

  it('rejects a function concurrency of 0 or over the bound', () => {
    expect(() => parseBenchOptions(['--function-concurrency', '0'], {})).toThrow(BenchOptionsError);
    expect(() => parseBenchOptions(['--function-concurrency', '65'], {})).toThrow(
      'function-concurrency must be an integer from 1 to 64, got "65"',
    );
  });

  it('returns help for --help', () => {
    expect(parseBenchOptions(['--help'], {})).toBe('help');
  });

  it('fails with the bad value when a count is not a positive integer', () => {
    expect(() => parseBenchOptions(['--clients', '100,abc'], {})).toThrow('got "abc"');
    expect(() => parseBenchOptions(['--rounds', '0'], {})).toThrow(BenchOptionsError);
  });

  it('fails when a fleet size exceeds the bound instead of clamping it', () => {
    expect(() => parseBenchOptions(['--clients', '50000'], {})).toThrow('from 1 to 5000');
  });

  it('measures 100, 1000 and 5000 clients with 200 handshakes in flight in a 300 s budget by default', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({
      clients: [100, 1000, 5000],
      concurrency: 200,
      warmupClients: 300,
      budgetSeconds: 300,
      cpuProfileDir: undefined,
    });
  });

  it('reads the time budget and the profile directory from flags or the environment', () => {
    expect(parseBenchOptions(['--budget-s', '600', '--cpu-prof', '/tmp/p'], {})).toMatchObject({
      budgetSeconds: 600,
      cpuProfileDir: '/tmp/p',
    });
    expect(parseBenchOptions([], { BENCH_BUDGET_S: '90', BENCH_CPU_PROF: 'prof' })).toMatchObject({
      budgetSeconds: 90,
      cpuProfileDir: 'prof',
    });
  });

  it('rejects a budget of 0, over an hour, or not a whole number of seconds', () => {
    expect(() => parseBenchOptions(['--budget-s', '0'], {})).toThrow(BenchOptionsError);
    expect(() => parseBenchOptions(['--budget-s', '3601'], {})).toThrow('from 1 to 3600');
    expect(() => parseBenchOptions(['--budget-s', '1.5'], {})).toThrow('got "1.5"');
  });

  it('accepts up to 500 handshakes in flight, not more', () => {
    expect(parseBenchOptions(['--concurrency', '500'], {})).toMatchObject({ concurrency: 500 });
    expect(() => parseBenchOptions(['--concurrency', '501'], {})).toThrow('from 1 to 500');
  });

  it('lists the new flags in the usage text', () => {
    expect(USAGE).toContain('--budget-s 300');
    expect(USAGE).toContain('--cpu-prof DIR');
    expect(USAGE).toContain('--clients 100,1000,5000');
  });

  it('measures the runtime, plain ws and the floor by default', () => {
    expect(DEFAULT_OPTIONS.servers).toEqual(['runtime', 'baseline', 'floor']);
  });

  it('accepts the floor as a server, alone or with others, once each', () => {
    expect(parseBenchOptions(['--servers', 'floor'], {})).toMatchObject({ servers: ['floor'] });
    expect(parseBenchOptions([], { BENCH_SERVERS: 'baseline, floor,floor' })).toMatchObject({
      servers: ['baseline', 'floor'],
    });
  });

  it('lists the floor in the usage text', () => {
    expect(USAGE).toContain('--servers runtime,baseline,floor');
  });

  it('fails on an unknown server or an unknown flag', () => {
    expect(() => parseBenchOptions(['--servers', 'runtime,nginx'], {})).toThrow('runtime,nginx');
    expect(() => parseBenchOptions(['--servers', 'floors'], {})).toThrow('runtime,baseline,floor');
    expect(() => parseBenchOptions(['--fast'], {})).toThrow(BenchOptionsError);
  });
});
