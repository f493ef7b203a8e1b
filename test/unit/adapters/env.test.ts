import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, readFanOutConcurrency, requireEnv } from '../../../lambdas/adapters/env.js';

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
  });
});
