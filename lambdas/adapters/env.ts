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
import {
  DEFAULT_FANOUT_CONCURRENCY,
  DEFAULT_FANOUT_INLINE_LIMIT,
  DEFAULT_FANOUT_MAX_ATTEMPTS,
  DEFAULT_FANOUT_SLICE_SIZE,
  DEFAULT_HISTORY_SIZE,
  DEFAULT_LEADERBOARD_SIZE,
  DEFAULT_MAX_CONNECTIONS_PER_USER,
  DEFAULT_MAX_SUBSCRIPTIONS,
  MAX_CONNECTIONS_PER_USER_LIMIT,
  MAX_FANOUT_SLICE_SIZE,
  MAX_HISTORY_LIMIT,
  MAX_LEADERBOARD_LIMIT,
} from '../core/constants.js';
import { DEFAULT_RATE_LIMIT, type RateLimit } from '../core/rate-limit.js';

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
 * An integer variable in [min, max], or `fallback` when unset or empty.
 *
 * @throws {ConfigurationError} naming the variable and the value otherwise.
 */
const readIntegerEnv = (name: string, fallback: number, min: number, max: number): number => {
  const raw = readEnv(name);
  if (raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigurationError(`${name} must be an integer ${range}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/**
 * `FANOUT_CONCURRENCY`, the number of `@connections` POSTs one fan-out keeps in flight.
 *
 * @default 32 when unset or empty
 * @throws {ConfigurationError} when set to anything but a positive integer.
 */
export const readFanOutConcurrency = (): number =>
  readIntegerEnv('FANOUT_CONCURRENCY', DEFAULT_FANOUT_CONCURRENCY, 1, Number.MAX_SAFE_INTEGER);

/**
 * `HISTORY_SIZE`, how many messages each channel keeps for history and resume (0 keeps none).
 *
 * @default 50
 */
export const readHistorySize = (): number =>
  readIntegerEnv('HISTORY_SIZE', DEFAULT_HISTORY_SIZE, 0, MAX_HISTORY_LIMIT);

/**
 * `LEADERBOARD_SIZE`, how many entries a board snapshot has.
 *
 * @default 10
 */
export const readLeaderboardSize = (): number =>
  readIntegerEnv('LEADERBOARD_SIZE', DEFAULT_LEADERBOARD_SIZE, 1, MAX_LEADERBOARD_LIMIT);

/**
 * The per-connection rate limit: `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` and `RATE_LIMIT_CLOSE_AFTER`.
 * The stack always sets them; with `RATE_LIMIT_PER_SECOND` unset or empty (a unit test loading a handler)
 * there is no limit.
 *
 * @default burst 2 × the rate, closeAfter 20, when those two are unset
 * @throws {ConfigurationError} when a value is set to anything but a positive integer.
 */
export const readRateLimit = (): RateLimit | undefined => {
  if (readEnv('RATE_LIMIT_PER_SECOND') === '') {
    return undefined;
  }
  const perSecond = readIntegerEnv('RATE_LIMIT_PER_SECOND', DEFAULT_RATE_LIMIT.perSecond, 1, 100_000);
  return {
    perSecond,
    burst: readIntegerEnv('RATE_LIMIT_BURST', perSecond * 2, 1, 1_000_000),
    closeAfter: readIntegerEnv('RATE_LIMIT_CLOSE_AFTER', DEFAULT_RATE_LIMIT.closeAfter, 1, 1_000_000),
  };
};

/**
 * `MAX_SUBSCRIPTIONS_PER_CONNECTION`, the subscriptions one connection may hold.
 *
 * @default 100
 */
export const readMaxSubscriptions = (): number =>
  readIntegerEnv('MAX_SUBSCRIPTIONS_PER_CONNECTION', DEFAULT_MAX_SUBSCRIPTIONS, 1, 100_000);

/**
 * `MAX_CONNECTIONS_PER_USER`, how many connections one user may have open at once (0: no cap).
 *
 * @default 10
 */
export const readMaxConnectionsPerUser = (): number =>
  readIntegerEnv(
    'MAX_CONNECTIONS_PER_USER',
    DEFAULT_MAX_CONNECTIONS_PER_USER,
    0,
    MAX_CONNECTIONS_PER_USER_LIMIT,
  );

/**
 * `FANOUT_INLINE_LIMIT`: audiences smaller than this are posted to inline, larger ones queued (0 queues every
 * non-empty audience, which lets a test force the queued path with a small channel).
 *
 * @default 1000
 */
export const readFanOutInlineLimit = (): number =>
  readIntegerEnv('FANOUT_INLINE_LIMIT', DEFAULT_FANOUT_INLINE_LIMIT, 0, Number.MAX_SAFE_INTEGER);

/**
 * `FANOUT_SLICE_SIZE`: recipients per queued slice (one DynamoDB page, one SQS message).
 *
 * @default 1000
 */
export const readFanOutSliceSize = (): number =>
  readIntegerEnv('FANOUT_SLICE_SIZE', DEFAULT_FANOUT_SLICE_SIZE, 1, MAX_FANOUT_SLICE_SIZE);

/** `FANOUT_QUEUE_URL`, or `undefined` when the stack has no fan-out queue (every fan-out stays inline). */
export const readFanOutQueueUrl = (): string | undefined => {
  const url = readEnv('FANOUT_QUEUE_URL');
  return url === '' ? undefined : url;
};

/** `FANOUT_DLQ_URL`: where a worker moves recipients that failed every attempt (set on the worker only). */
export const readFanOutDeadLetterQueueUrl = (): string | undefined => {
  const url = readEnv('FANOUT_DLQ_URL');
  return url === '' ? undefined : url;
};

/**
 * `FANOUT_MAX_ATTEMPTS`: attempts a worker makes for one recipient before dead-lettering it (the queue's
 * `maxReceiveCount`).
 *
 * @default 5
 */
export const readFanOutMaxAttempts = (): number =>
  readIntegerEnv('FANOUT_MAX_ATTEMPTS', DEFAULT_FANOUT_MAX_ATTEMPTS, 1, 1000);
