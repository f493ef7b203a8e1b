/**
 * Pairs each runtime result with the baseline (and floor) result of the same scenario and fleet size, and
 * derives the ratios the report shows: runtime/baseline, runtime/floor (what the targets read) and
 * floor/baseline.
 *
 * @module
 */
import type { Scenario, ScenarioResult } from './scenarios.js';
import { ratio } from './stats.js';

/** The figures of one side (one server) of a comparison row. */
export interface SideFigures {
  readonly setupPerSecond: number | null;
  readonly opened: number;
  readonly delivered: number;
  readonly expected: number;
  /** False when a round ended by deadline or idle time, i.e. `delivered` is what arrived in time. */
  readonly complete: boolean;
  readonly deliveriesPerSecond: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** runtime ÷ baseline; `null` where a side is missing or the baseline figure is zero. */
export interface RatioFigures {
  readonly setupPerSecond: number | null;
  /** Ratio of the delivered fractions (delivered/expected of each side). */
  readonly deliveredFraction: number | null;
  readonly deliveriesPerSecond: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** A ratio of two servers on the figures the floor is compared on; `null` where a side is missing. */
export interface FloorRatioFigures {
  readonly deliveriesPerSecond: number | null;
  readonly p99Ms: number | null;
}

/** One row of the report: one scenario at one fleet size. */
export interface ComparisonRow {
  readonly scenario: Scenario;
  readonly clients: number;
  readonly runtime?: SideFigures;
  readonly baseline?: SideFigures;
  /** Plain `ws` plus one SDK `PostToConnection` per delivery: the least a faithful emulator can cost. */
  readonly floor?: SideFigures;
  /** runtime ÷ baseline, for reference (the targets read {@link floorRatio}). */
  readonly ratio: RatioFigures;
  /** runtime ÷ floor: how far the runtime is from the best an emulator could do. */
  readonly floorRatio: FloorRatioFigures;
  /** floor ÷ baseline: what the Management API round trip costs by itself over plain `ws`. */
  readonly floorBaselineRatio: FloorRatioFigures;
}

/** Reduces one scenario result to the figures the report shows. */
export function sideFigures(result: ScenarioResult): SideFigures {
  return {
    setupPerSecond: result.setup.perSecond,
    opened: result.setup.opened,
    delivered: result.delivery.delivered,
    expected: result.delivery.expected,
    complete: result.delivery.outcomes.every((outcome) => outcome === 'complete'),
    deliveriesPerSecond: result.delivery.perSecond,
    p50Ms: result.delivery.latencyMs.p50,
    p99Ms: result.delivery.latencyMs.p99,
  };
}

function fraction(side: SideFigures | undefined): number | null {
  if (side === undefined || side.expected === 0) return null;
  return side.delivered / side.expected;
}

function pairRatios(a: SideFigures | undefined, b: SideFigures | undefined): FloorRatioFigures {
  return {
    deliveriesPerSecond: ratio(a?.deliveriesPerSecond ?? null, b?.deliveriesPerSecond ?? null),
    p99Ms: ratio(a?.p99Ms ?? null, b?.p99Ms ?? null),
  };
}

/** Groups results by scenario × fleet size, in the order they were produced. */
export function compare(results: readonly ScenarioResult[]): ComparisonRow[] {
  const rows = new Map<
    string,
    {
      scenario: Scenario;
      clients: number;
      runtime?: SideFigures;
      baseline?: SideFigures;
      floor?: SideFigures;
    }
  >();
  for (const result of results) {
    const key = `${result.scenario}:${result.clients}`;
    const row = rows.get(key) ?? { scenario: result.scenario, clients: result.clients };
    row[result.server] = sideFigures(result);
    rows.set(key, row);
  }
  return [...rows.values()].map((row) => {
    const { runtime, baseline, floor } = row;
    return {
      ...row,
      ratio: {
        setupPerSecond: ratio(runtime?.setupPerSecond ?? null, baseline?.setupPerSecond ?? null),
        deliveredFraction: ratio(fraction(runtime), fraction(baseline)),
        deliveriesPerSecond: ratio(
          runtime?.deliveriesPerSecond ?? null,
          baseline?.deliveriesPerSecond ?? null,
        ),
        p50Ms: ratio(runtime?.p50Ms ?? null, baseline?.p50Ms ?? null),
        p99Ms: ratio(runtime?.p99Ms ?? null, baseline?.p99Ms ?? null),
      },
      floorRatio: pairRatios(runtime, floor),
      floorBaselineRatio: pairRatios(floor, baseline),
    };
  });
}
