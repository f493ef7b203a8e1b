import { describe, expect, it } from 'vitest';
import { descriptorsNeeded, FD_MARGIN, type FleetFacts, fleetLimit } from '../../bench/realtime/limits.js';
import { refillMsOf } from '../../bench/realtime/target.js';

const facts: FleetFacts = {
  clients: 5000,
  openFileLimit: 20_000,
  openFiles: 100,
  freeMemMb: 20_000,
  elapsedMs: 100_000,
  budgetMs: 300_000,
  previous: { clients: 1000, scalableMs: 26_000, fixedMs: 4000, memoryGrowthMb: 300 },
};

describe('fleetLimit', () => {
  it('lets a fleet run when descriptors, memory and time all fit', () => {
    expect(fleetLimit(facts)).toBeUndefined();
  });

  it('counts both ends of every connection, since clients and servers share the process', () => {
    expect(descriptorsNeeded(5000)).toBe(10_000);
  });

  it('stops a fleet whose descriptors would pass ulimit -n, with what it needs and the limit', () => {
    const needed = 10_000 + 100 + FD_MARGIN;

    expect(fleetLimit({ ...facts, openFileLimit: needed - 1 })).toBe(
      `file descriptors: needs ~${needed.toLocaleString('en-US')}, ulimit -n is ${(needed - 1).toLocaleString('en-US')}`,
    );
    expect(fleetLimit({ ...facts, openFileLimit: needed })).toBeUndefined();
    expect(fleetLimit({ ...facts, openFileLimit: undefined, previous: undefined })).toBeUndefined();
  });

  it('stops a fleet whose duration, scaled from the previous size, would pass the budget', () => {
    // 26 s that scale + 4 s of fixed pauses at 1000 clients → 130 + 4 = 134 s at 5000; 100 s spent of a
    // 230 s budget leaves 130 s.
    expect(fleetLimit({ ...facts, budgetMs: 230_000 })).toBe(
      'time: ~134 s estimated from N=1000 (30 s), 130 s of the 230 s budget left',
    );
    expect(fleetLimit({ ...facts, budgetMs: 234_000 })).toBeUndefined();
  });

  it('does not scale the fixed pauses: a small first size with long pauses does not stop a larger one', () => {
    const previous = { clients: 100, scalableMs: 8000, fixedMs: 20_000, memoryGrowthMb: 10 };

    // (8 s × 10) + 20 s = 100 s, within the 200 s left; scaling all 28 s would have said 280 s.
    expect(fleetLimit({ ...facts, clients: 1000, previous })).toBeUndefined();
  });

  it('stops a fleet whose memory growth, scaled from the previous size, would not fit in what is free', () => {
    // 300 MB more at 1000 clients → 1500 MB more at 5000.
    expect(fleetLimit({ ...facts, freeMemMb: 1499 })).toBe(
      'memory: ~1,500 MB more estimated from N=1000, 1,499 MB free',
    );
    expect(fleetLimit({ ...facts, freeMemMb: 1500 })).toBeUndefined();
  });

  it('cannot estimate time or memory for the first fleet size, so only descriptors can stop it', () => {
    expect(fleetLimit({ ...facts, previous: undefined, budgetMs: 1, freeMemMb: 0 })).toBeUndefined();
  });
});

describe('refillMsOf', () => {
  it("is burst ÷ rate: the stack's 1000 burst at 500/s refills in 2 s", () => {
    expect(refillMsOf({ rateLimit: 500, burstLimit: 1000 })).toBe(2000);
  });

  it('takes the burst as the rate when only the rate is set, and is 0 without a finite rate', () => {
    expect(refillMsOf({ rateLimit: 10 })).toBe(1000);
    expect(refillMsOf({ burstLimit: 100 })).toBe(0);
    expect(refillMsOf(undefined)).toBe(0);
    expect(refillMsOf({ rateLimit: Number.POSITIVE_INFINITY, burstLimit: 5 })).toBe(0);
  });
});
