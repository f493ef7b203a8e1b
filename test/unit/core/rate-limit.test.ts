import { describe, expect, it } from 'vitest';
import { gcra, type RateLimit, shouldClose } from '../../../lambdas/core/rate-limit.js';

const LIMIT: RateLimit = { perSecond: 10, burst: 3, closeAfter: 5 };
const T0 = 1_000_000;

/** Runs `count` messages at `now`, threading the TAT, and returns how many were admitted. */
const admitted = (
  count: number,
  now: number,
  start?: number,
): { admitted: number; tat: number | undefined } => {
  let tat = start;
  let ok = 0;
  for (let i = 0; i < count; i += 1) {
    const decision = gcra(tat, now, LIMIT);
    if (decision.allowed) {
      ok += 1;
      tat = decision.tat;
    }
  }
  return { admitted: ok, tat };
};

describe('gcra', () => {
  it('admits a first message and moves the TAT one interval past now', () => {
    expect(gcra(undefined, T0, LIMIT)).toEqual({ allowed: true, tat: T0 + 100 });
  });

  it('admits exactly `burst` messages at one instant, then refuses', () => {
    // Prepare / Act
    const { admitted: ok, tat } = admitted(10, T0);

    // Assess
    expect(ok).toBe(3);
    expect(tat).toBe(T0 + 300);
  });

  it('says when the refused message would be admitted', () => {
    const decision = gcra(T0 + 300, T0, LIMIT);

    expect(decision).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(gcra(T0 + 300, T0 + 100, LIMIT).allowed).toBe(true);
  });

  it('sustains the rate: one message per interval is always admitted', () => {
    let tat: number | undefined;
    for (let i = 0; i < 100; i += 1) {
      const decision = gcra(tat, T0 + i * 100, LIMIT);
      expect(decision.allowed).toBe(true);
      if (decision.allowed) tat = decision.tat;
    }
  });

  it('does not bank credit while idle: after a long quiet spell the burst is still `burst`', () => {
    const { admitted: ok } = admitted(10, T0 + 3_600_000, T0);

    expect(ok).toBe(3);
  });

  it('admits no more than rate × time + burst over a long flood', () => {
    let tat: number | undefined;
    let ok = 0;
    for (let ms = 0; ms < 10_000; ms += 1) {
      const decision = gcra(tat, T0 + ms, LIMIT);
      if (decision.allowed) {
        ok += 1;
        tat = decision.tat;
      }
    }
    expect(ok).toBeLessThanOrEqual(10 * 10 + 3);
    expect(ok).toBeGreaterThanOrEqual(10 * 10);
  });
});

describe('shouldClose', () => {
  it('closes at `closeAfter` refusals, not before, and never an admitted message', () => {
    expect(shouldClose({ allowed: false, retryAfterMs: 1, refusals: 4 }, LIMIT)).toBe(false);
    expect(shouldClose({ allowed: false, retryAfterMs: 1, refusals: 5 }, LIMIT)).toBe(true);
    expect(shouldClose({ allowed: true }, LIMIT)).toBe(false);
  });
});
