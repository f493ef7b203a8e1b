import { describe, expect, it } from 'vitest';
import { percentile, perSecond, ratio, summarizeLatencies } from '../../bench/realtime/stats.js';

describe('percentile', () => {
  it('returns the nearest-rank sample, never an interpolated value', () => {
    const sorted = [10, 20, 30, 40];

    expect(percentile(sorted, 50)).toBe(20);
    expect(percentile(sorted, 51)).toBe(30);
    expect(percentile(sorted, 100)).toBe(40);
  });

  it('returns the 99th of 100 samples at p99 and the first at p1', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(1);
  });

  it('returns null when there are no samples', () => {
    expect(percentile([], 50)).toBeNull();
  });

  it('rejects a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow('got 101');
  });
});

describe('summarizeLatencies', () => {
  it('sorts unsorted samples before reading p50, p99 and max', () => {
    const samples = [5, 1, 4, 2, 3];

    expect(summarizeLatencies(samples)).toEqual({ p50: 3, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('reports nulls when nothing was delivered', () => {
    expect(summarizeLatencies([])).toEqual({ p50: null, p99: null, max: null });
  });
});

describe('perSecond', () => {
  it('scales a count over milliseconds to a per-second rate', () => {
    expect(perSecond(500, 250)).toBe(2000);
  });

  it('returns null for no events or a non-positive span', () => {
    expect(perSecond(0, 100)).toBeNull();
    expect(perSecond(10, 0)).toBeNull();
  });
});

describe('ratio', () => {
  it('divides a by b', () => {
    expect(ratio(3, 12)).toBe(0.25);
  });

  it('returns null when a side is missing or b is zero', () => {
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(1, null)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });
});
