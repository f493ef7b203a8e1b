/**
 * Reads the function's configuration from environment variables at load time, failing fast with a message
 * that says what is missing, instead of failing later inside an SDK call.
 *
 * @module
 */
import { DEFAULT_FANOUT_CONCURRENCY } from '../core/constants.js';
import type { AwsCredentials } from './management-api-client.js';

/** The function's environment is missing a variable or holds a bad value. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * The value of a required environment variable.
 *
 * @throws {ConfigurationError} when it is unset or empty.
 * @example
 * const tableName = requireEnv('TABLE_NAME');
 */
export const requireEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string => {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigurationError(
      `environment variable ${name} is not set (the stack sets it on every function)`,
    );
  }
  return value;
};

/**
 * `FANOUT_CONCURRENCY`, the number of `@connections` POSTs one fan-out keeps in flight.
 *
 * @default 32 when unset
 * @throws {ConfigurationError} when set to anything but a positive integer.
 */
export const readFanOutConcurrency = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env.FANOUT_CONCURRENCY;
  if (raw === undefined || raw === '') {
    return DEFAULT_FANOUT_CONCURRENCY;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`FANOUT_CONCURRENCY must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/**
 * The credentials Lambda puts in the function's environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`). The fan-out handlers read them once per container, as the SDK's `fromEnv` does.
 *
 * @throws {ConfigurationError} when the key id or the secret is missing.
 */
export const credentialsFromEnv = (env: NodeJS.ProcessEnv = process.env): AwsCredentials => ({
  accessKeyId: requireEnv('AWS_ACCESS_KEY_ID', env),
  secretAccessKey: requireEnv('AWS_SECRET_ACCESS_KEY', env),
  sessionToken: env.AWS_SESSION_TOKEN || undefined,
});
