import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  credentialsFromEnv,
  readFanOutConcurrency,
  requireEnv,
} from '../../../lambdas/adapters/env.js';

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

describe('credentialsFromEnv', () => {
  it('reads the key id, the secret and the session token Lambda sets', () => {
    expect(
      credentialsFromEnv({
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      }),
    ).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('leaves the session token out when it is unset or empty', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: '' };
    expect(credentialsFromEnv(env).sessionToken).toBeUndefined();
  });

  it.each(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])(
    'throws a ConfigurationError naming %s when it is missing',
    (name) => {
      const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' };
      delete env[name];
      expect(() => credentialsFromEnv(env)).toThrow(ConfigurationError);
      expect(() => credentialsFromEnv(env)).toThrow(`environment variable ${name} is not set`);
    },
  );
});
