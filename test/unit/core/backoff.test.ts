import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../lambdas/core/backoff.js';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles the cap on each retry and scales it by the random draw', () => {
    expect(backoffDelayMs(1, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelayMs(20, policy, () => 1)).toBe(1_000);
  });

  it('can be zero (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });
});
