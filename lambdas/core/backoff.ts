/**
 * Full-jitter exponential backoff, shared by the fan-out and the store's batch writes.
 *
 * @module
 */
import type { RetryPolicy } from './constants.js';

/**
 * How long to wait before retry number `retry` (1 for the first retry): a uniformly random time between 0
 * and `min(maxDelayMs, baseDelayMs * 2^(retry-1))`. Full jitter spreads the retries of many concurrent
 * senders so a throttled API is not hit again in lockstep.
 *
 * @param random - a source of numbers in [0, 1), injected so tests are deterministic.
 */
export const backoffDelayMs = (retry: number, policy: RetryPolicy, random: () => number): number =>
  random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
