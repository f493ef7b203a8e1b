import { describe, expect, it } from 'vitest';
import { ConfigurationError, readFanOutConcurrency, requireEnv } from '../../../lambdas/adapters/env.js';

describe('requireEnv', () => {
  it('returns the value when set', () => {
    expect(requireEnv('TABLE_NAME', { TABLE_NAME: 'Connections' })).toBe('Connections');
  });

  it.each([
    ['unset', {}],
    ['empty', { TABLE_NAME: '' }],
  ])('fails fast, naming the variable, when it is %s', (_, env) => {
    expect(() => requireEnv('TABLE_NAME', env)).toThrow(ConfigurationError);
    expect(() => requireEnv('TABLE_NAME', env)).toThrow('environment variable TABLE_NAME is not set');
  });
});

describe('readFanOutConcurrency', () => {
  it('defaults to 32', () => {
    expect(readFanOutConcurrency({})).toBe(32);
    expect(readFanOutConcurrency({ FANOUT_CONCURRENCY: '' })).toBe(32);
  });

  it('reads a positive integer', () => {
    expect(readFanOutConcurrency({ FANOUT_CONCURRENCY: '8' })).toBe(8);
  });

  it.each(['0', '-3', '2.5', 'many'])('rejects %j with a message showing the value', (value) => {
    expect(() => readFanOutConcurrency({ FANOUT_CONCURRENCY: value })).toThrow(JSON.stringify(value));
  });
});
