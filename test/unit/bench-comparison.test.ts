import { describe, expect, it } from 'vitest';
import { compare } from '../../bench/realtime/comparison.js';
import type { ServerKind } from '../../bench/realtime/options.js';
import type { Scenario, ScenarioResult } from '../../bench/realtime/scenarios.js';

function result(
  server: ServerKind,
  scenario: Scenario,
  figures: { setup: number; delivered: number; expected: number; rate: number; p50: number; p99: number },
): ScenarioResult {
  return {
    scenario,
    server,
    clients: 100,
    setup: { opened: 100, failed: 0, throttled: 0, elapsedMs: 100, perSecond: figures.setup, errors: [] },
    delivery: {
      expected: figures.expected,
      delivered: figures.delivered,
      duplicates: 0,
      elapsedMs: 10,
      perSecond: figures.rate,
      latencyMs: { p50: figures.p50, p99: figures.p99, max: figures.p99 },
      outcomes: ['complete'],
      rejections: {},
    },
    closedByServer: 0,
    leftOpen: 0,
    durationMs: 200,
  };
}

describe('compare', () => {
  it('pairs runtime and baseline of the same scenario and size, and divides runtime by baseline', () => {
    const results = [
      result('baseline', 'broadcast', {
        setup: 2000,
        delivered: 100,
        expected: 100,
        rate: 9000,
        p50: 2,
        p99: 4,
      }),
      result('runtime', 'broadcast', {
        setup: 500,
        delivered: 50,
        expected: 100,
        rate: 3000,
        p50: 20,
        p99: 80,
      }),
    ];

    const rows = compare(results);

    expect(rows).toHaveLength(1);
    expect(rows[0]?.ratio).toEqual({
      setupPerSecond: 0.25,
      deliveredFraction: 0.5,
      deliveriesPerSecond: 3000 / 9000,
      p50Ms: 10,
      p99Ms: 20,
    });
  });

  it('adds the floor beside them, with runtime ÷ floor and floor ÷ baseline, leaving runtime ÷ baseline as is', () => {
    const rate = { setup: 1000, delivered: 100, expected: 100, p50: 1 };
    const results = [
      result('baseline', 'broadcast', { ...rate, rate: 10_000, p99: 4 }),
      result('floor', 'broadcast', { ...rate, rate: 3000, p99: 8 }),
      result('runtime', 'broadcast', { ...rate, rate: 1500, p99: 40 }),
    ];

    const [row] = compare(results);

    expect(row?.floor).toMatchObject({ deliveriesPerSecond: 3000, p99Ms: 8 });
    expect(row?.ratio).toMatchObject({ deliveriesPerSecond: 0.15, p99Ms: 10 });
    expect(row?.floorRatio).toEqual({ deliveriesPerSecond: 0.5, p99Ms: 5 });
    expect(row?.floorBaselineRatio).toEqual({ deliveriesPerSecond: 0.3, p99Ms: 2 });
  });

  it('leaves the floor ratios null when the floor was not measured', () => {
    const figures = { setup: 1, delivered: 1, expected: 1, rate: 1, p50: 1, p99: 1 };

    const [row] = compare([result('baseline', 'publish', figures), result('runtime', 'publish', figures)]);

    expect(row?.floor).toBeUndefined();
    expect(row?.floorRatio).toEqual({ deliveriesPerSecond: null, p99Ms: null });
    expect(row?.floorBaselineRatio).toEqual({ deliveriesPerSecond: null, p99Ms: null });
  });

  it('keeps one row per scenario in the order results were produced', () => {
    const figures = { setup: 1, delivered: 1, expected: 1, rate: 1, p50: 1, p99: 1 };

    const rows = compare([result('baseline', 'broadcast', figures), result('baseline', 'publish', figures)]);

    expect(rows.map((r) => r.scenario)).toEqual(['broadcast', 'publish']);
  });

  it('leaves ratios null when only one server was measured', () => {
    const figures = { setup: 1, delivered: 1, expected: 1, rate: 1, p50: 1, p99: 1 };

    const [row] = compare([result('runtime', 'publish', figures)]);

    expect(row?.baseline).toBeUndefined();
    expect(row?.ratio.deliveriesPerSecond).toBeNull();
  });
});
