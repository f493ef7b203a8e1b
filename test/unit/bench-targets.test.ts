import { describe, expect, it } from 'vitest';
import type { ComparisonRow, SideFigures } from '../../bench/realtime/comparison.js';
import { evaluateTargets } from '../../bench/realtime/targets.js';

const baseline: SideFigures = {
  setupPerSecond: 3000,
  opened: 1000,
  delivered: 20_000,
  expected: 20_000,
  complete: true,
  deliveriesPerSecond: 30_000,
  p50Ms: 50,
  p99Ms: 100,
};

function row(runtime: Partial<SideFigures>, ratio: Partial<ComparisonRow['ratio']> = {}): ComparisonRow {
  return {
    scenario: 'broadcast',
    clients: 1000,
    runtime: { ...baseline, setupPerSecond: 600, deliveriesPerSecond: 12_000, p99Ms: 500, ...runtime },
    baseline,
    ratio: {
      setupPerSecond: 0.2,
      deliveredFraction: 1,
      deliveriesPerSecond: 0.4,
      p50Ms: 2,
      p99Ms: 5,
      ...ratio,
    },
    floorRatio: { deliveriesPerSecond: null, p99Ms: null },
    floorBaselineRatio: { deliveriesPerSecond: null, p99Ms: null },
  };
}

const status = (rows: ComparisonRow[]): Record<string, string> =>
  Object.fromEntries(evaluateTargets(rows).map((v) => [v.id, v.status]));

describe('evaluateTargets', () => {
  it('passes every target when the runtime meets each threshold', () => {
    expect(status([row({})])).toEqual({
      'zero-loss': 'pass',
      'delivery-rate': 'pass',
      'broadcast-p99': 'pass',
      'setup-rate': 'pass',
    });
  });

  it('fails zero loss at 1000 clients when one delivery is missing or one client did not open', () => {
    expect(status([row({ delivered: 19_999 })])['zero-loss']).toBe('fail');
    expect(status([row({ opened: 999 })])['zero-loss']).toBe('fail');
  });

  it('does not judge zero loss below 1000 clients', () => {
    const small = { ...row({ delivered: 1 }), clients: 100 };

    expect(status([small])['zero-loss']).toBe('n/a');
  });

  it('fails the delivery rate below a third of plain ws and the p99 above ten times it', () => {
    const verdicts = status([row({}, { deliveriesPerSecond: 0.33, p99Ms: 10.5 })]);

    expect(verdicts['delivery-rate']).toBe('fail');
    expect(verdicts['broadcast-p99']).toBe('fail');
  });

  it('fails setup below 500 connections per second, and when it was not measured', () => {
    expect(status([row({ setupPerSecond: 499 })])['setup-rate']).toBe('fail');
    expect(status([row({ setupPerSecond: null })])['setup-rate']).toBe('fail');
  });

  it('judges the p99 target on broadcast rows only', () => {
    const publish: ComparisonRow = { ...row({}, { p99Ms: 50 }), scenario: 'publish' };

    expect(status([publish])['broadcast-p99']).toBe('n/a');
  });

  it('judges against plain ws only: a floor, even one under the target, changes no verdict', () => {
    const plain = row({}, { deliveriesPerSecond: 0.3 });
    const withFloor: ComparisonRow = {
      ...plain,
      floor: { ...baseline, deliveriesPerSecond: 9000, p99Ms: 300 },
      floorRatio: { deliveriesPerSecond: 1, p99Ms: 500 / 300 },
      floorBaselineRatio: { deliveriesPerSecond: 0.3, p99Ms: 3 },
    };

    expect(evaluateTargets([withFloor])).toEqual(evaluateTargets([plain]));
    expect(status([withFloor])['delivery-rate']).toBe('fail');
  });

  it('lists the measured value of every row it judged', () => {
    const [zeroLoss] = evaluateTargets([row({ delivered: 19_990 })]);

    expect(zeroLoss?.checks).toEqual([
      { row: 'broadcast N=1000', value: '19990/20000 delivered, 0 clients not opened', pass: false },
    ]);
  });
});
