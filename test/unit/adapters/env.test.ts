import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  readFanOutConcurrency,
  readHistorySize,
  readLeaderboardSize,
  readMaxConnectionsPerUser,
  requireEnv,
} from '../../../lambdas/adapters/env.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('requireEnv', () => {
  it('returns the value when set', () => {
    vi.stubEnv('TABLE_NAME', 'Connections');

    expect(requireEnv('TABLE_NAME')).toBe('Connections');
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('fails fast, naming the variable, when it is %s', (_, value) => {
    vi.stubEnv('TABLE_NAME', value);

    expect(() => requireEnv('TABLE_NAME')).toThrow(ConfigurationError);
    expect(() => requireEnv('TABLE_NAME')).toThrow('environment variable TABLE_NAME is not set');
  });
});

describe('readFanOutConcurrency', () => {
  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('defaults to 32 when %s', (_, value) => {
    vi.stubEnv('FANOUT_CONCURRENCY', value);

    expect(readFanOutConcurrency()).toBe(32);
  });

  it('reads a positive integer', () => {
    vi.stubEnv('FANOUT_CONCURRENCY', '8');

    expect(readFanOutConcurrency()).toBe(8);
  });

  it.each(['0', '-3', '2.5', 'many'])('rejects %j with a ConfigurationError showing the value', (value) => {
    vi.stubEnv('FANOUT_CONCURRENCY', value);

    expect(() => readFanOutConcurrency()).toThrow(ConfigurationError);
    expect(() => readFanOutConcurrency()).toThrow(JSON.stringify(value));
    expect(() => readFanOutConcurrency()).toThrow(
      `FANOUT_CONCURRENCY must be an integer at least 1, got ${JSON.stringify(value)}`,
    );
  });
});

describe('readHistorySize', () => {
  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('defaults to 50 when %s', (_, value) => {
    vi.stubEnv('HISTORY_SIZE', value);

    expect(readHistorySize()).toBe(50);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['100', 100],
  ])('reads %s, 0 keeping none and 100 the most', (raw, expected) => {
    vi.stubEnv('HISTORY_SIZE', raw);

    expect(readHistorySize()).toBe(expected);
  });

  it.each(['-1', '101', '2.5', 'fifty', '1e3'])('rejects %j, naming the range and the value', (value) => {
    vi.stubEnv('HISTORY_SIZE', value);

    expect(() => readHistorySize()).toThrow(ConfigurationError);
    expect(() => readHistorySize()).toThrow(
      `HISTORY_SIZE must be an integer from 0 to 100, got ${JSON.stringify(value)}`,
    );
  });
});

describe('readLeaderboardSize', () => {
  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('defaults to 10 when %s', (_, value) => {
    vi.stubEnv('LEADERBOARD_SIZE', value);

    expect(readLeaderboardSize()).toBe(10);
  });

  it.each([
    ['1', 1],
    ['25', 25],
    ['100', 100],
  ])('reads %s', (raw, expected) => {
    vi.stubEnv('LEADERBOARD_SIZE', raw);

    expect(readLeaderboardSize()).toBe(expected);
  });

  it.each(['0', '101', '-5', '3.5', 'ten'])('rejects %j, naming the range and the value', (value) => {
    vi.stubEnv('LEADERBOARD_SIZE', value);

    expect(() => readLeaderboardSize()).toThrow(ConfigurationError);
    expect(() => readLeaderboardSize()).toThrow(
      `LEADERBOARD_SIZE must be an integer from 1 to 100, got ${JSON.stringify(value)}`,
    );
  });
});

describe('readMaxConnectionsPerUser', () => {
  it('defaults to 10 when unset', () => {
    vi.stubEnv('MAX_CONNECTIONS_PER_USER', undefined);

    expect(readMaxConnectionsPerUser()).toBe(10);
  });

  it.each([
    ['0', 0],
    ['3', 3],
    ['10000', 10_000],
  ])('reads %s', (raw, expected) => {
    vi.stubEnv('MAX_CONNECTIONS_PER_USER', raw);

    expect(readMaxConnectionsPerUser()).toBe(expected);
  });

  it.each(['-1', '10001', '2.5', 'many'])('fails fast on %s, naming the variable', (raw) => {
    vi.stubEnv('MAX_CONNECTIONS_PER_USER', raw);

    expect(() => readMaxConnectionsPerUser()).toThrow(ConfigurationError);
    expect(() => readMaxConnectionsPerUser()).toThrow(
      `MAX_CONNECTIONS_PER_USER must be an integer from 0 to 10000, got ${JSON.stringify(raw)}`,
    );
  });
});
