import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../client/index.js';

const policy = { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2 };

describe('Backoff', () => {
  describe('#next', () => {
    it('returns 0 when the random draw is 0 (full jitter has no floor)', () => {
      // Prepare
      const backoff = new Backoff(policy, () => 0);

      // Act & Assess
      expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 0, 0]);
    });

    it('returns just under the cap when the random draw is 0.999', () => {
      // Prepare
      const backoff = new Backoff(policy, () => 0.999);

      // Act
      const delays = [backoff.next(), backoff.next(), backoff.next()];

      // Assess
      expect(delays).toEqual([499.5, 999, 1998]);
    });

    it('grows the cap by the multiplier on each attempt', () => {
      // Prepare
      const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 100_000, multiplier: 3 }, () => 1);

      // Act
      const delays = Array.from({ length: 5 }, () => backoff.next());

      // Assess
      expect(delays).toEqual([100, 300, 900, 2_700, 8_100]);
    });

    it('never exceeds maxDelayMs, however many attempts', () => {
      // Prepare
      const backoff = new Backoff(policy, () => 0.999);

      // Act
      const delays = Array.from({ length: 2_000 }, () => backoff.next());

      // Assess
      expect(Math.max(...delays)).toBeCloseTo(29_970);
      expect(delays.at(-1)).toBeCloseTo(29_970);
      expect(delays.every(Number.isFinite)).toBe(true);
    });

    it('stays at 0 with a 0 initial delay instead of overflowing to NaN', () => {
      // Prepare
      const backoff = new Backoff({ initialDelayMs: 0, maxDelayMs: 1_000, multiplier: 2 }, () => 0.5);

      // Act
      const delays = Array.from({ length: 1_200 }, () => backoff.next());

      // Assess
      expect(new Set(delays)).toEqual(new Set([0]));
    });
  });

  describe('#reset', () => {
    it('starts over from the initial delay', () => {
      // Prepare
      const backoff = new Backoff(policy, () => 1);
      backoff.next();
      backoff.next();
      expect(backoff.cap).toBe(2_000);

      // Act
      backoff.reset();

      // Assess
      expect(backoff.cap).toBe(500);
      expect(backoff.next()).toBe(500);
    });
  });
});
