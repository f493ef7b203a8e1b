/**
 * Reads the function's configuration from environment variables at load time, failing fast with a message
 * that says what is missing, instead of failing later inside an SDK call.
 *
 * Values are read with Powertools' `getStringFromEnv`; the checks on top are ours, because Powertools takes an
 * empty variable for a set one, and its `getNumberFromEnv` accepts fractions and reads an empty value as 0.
 *
 * @module
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DEFAULT_FANOUT_CONCURRENCY } from '../core/constants.js';

/** The function's environment is missing a variable or holds a bad value. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The trimmed value of `name`, or `''` when it is unset. */
const readEnv = (name: string): string => getStringFromEnv({ key: name, defaultValue: '' });

/**
 * The value of a required environment variable.
 *
 * @throws {ConfigurationError} when it is unset, empty or blank.
 * @example
 * const tableName = requireEnv('TABLE_NAME');
 */
export const requireEnv = (name: string): string => {
  const value = readEnv(name);
  if (value === '') {
    throw new ConfigurationError(
      `environment variable ${name} is not set (the stack sets it on every function)`,
    );
  }
  return value;
};

/**
 * `FANOUT_CONCURRENCY`, the number of `@connections` POSTs one fan-out keeps in flight.
 *
 * @default 32 when unset or empty
 * @throws {ConfigurationError} when set to anything but a positive integer.
 */
export const readFanOutConcurrency = (): number => {
  const raw = readEnv('FANOUT_CONCURRENCY');
  if (raw === '') {
    return DEFAULT_FANOUT_CONCURRENCY;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`FANOUT_CONCURRENCY must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
};
