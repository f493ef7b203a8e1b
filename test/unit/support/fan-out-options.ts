/**
 * Deterministic fan-out options: a fake clock that only moves when the fan-out sleeps.
 *
 * @module
 */
import type { FanOutOptions } from '../../../lambdas/core/fan-out.js';
import type { Messenger } from '../../../lambdas/core/ports.js';
import { SEND_RETRY_BUDGET } from '../../../lambdas/core/retry-budget.js';
import type { FanOutSettings } from '../../../lambdas/handlers/support/fan-out.js';

/** Fan-out options plus a record of every sleep. */
export interface TestFanOutOptions extends FanOutOptions {
  readonly sleeps: number[];
  clock: number;
}

/** Options starting at t = 1_000_000 ms, deadline 10 s later, jitter 0.5, 5 attempts of 100 ms base. */
export const testFanOutOptions = (overrides: Partial<FanOutOptions> = {}): TestFanOutOptions => {
  const options: TestFanOutOptions = {
    clock: 1_000_000,
    sleeps: [],
    concurrency: 4,
    deadline: 1_010_000,
    retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 },
    now: () => options.clock,
    sleep: async (ms) => {
      options.sleeps.push(ms);
      options.clock += ms;
    },
    random: () => 0.5,
    ...overrides,
  };
  return options;
};

/** Handler fan-out settings on the same fake clock as {@link testFanOutOptions}. */
export const testFanOutSettings = (overrides: Partial<FanOutOptions> = {}): FanOutSettings => {
  const { concurrency, retry, now, sleep, random } = testFanOutOptions(overrides);
  return { concurrency, retry, now, sleep, random, retryBudget: SEND_RETRY_BUDGET, postTimeoutMs: 5_000 };
};

/** A messenger whose every post takes `ms` on the options' fake clock (to reach a deadline). */
export const slowMessenger = (options: TestFanOutOptions, ms = 100): Messenger => ({
  close: async () => 'closed',
  send: async () => {
    options.clock += ms;
    return 'sent';
  },
});
