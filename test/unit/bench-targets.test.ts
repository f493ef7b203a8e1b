import { describe, expect, it } from 'vitest';
import type { ComparisonRow, SideFigures } from '../../bench/realtime/comparison.js';
import { evaluateTargets, TARGETS } from '../../bench/realtime/targets.js';

const floor: SideFigures = {
  setupPerSecond: 3000,
  opened: 1000,
  delivered: 20_000,
  expected: 20_000,
  complete: true,
  deliveriesPerSecond: 2000,
  p50Ms: 200,
  p99Ms: 400,
};

/** A row at `clients` where the runtime meets every target unless `runtime` or `floorRatio` says otherwise. */
function row(
  runtime: Partial<SideFigures>,
  floorRatio: Partial<ComparisonRow['floorRatio']> = {},
  clients = 1000,
): ComparisonRow {
  return {
    scenario: 'broadcast',
    clients,
    runtime: {
      ...floor,
      opened: clients,
      delivered: clients * 20,
      expected: clients * 20,
      setupPerSecond: 600,
      deliveriesPerSecond: 1500,
      p99Ms: 600,
      ...runtime,
    },
    floor,
    ratio: { setupPerSecond: 0.2, deliveredFraction: 1, deliveriesPerSecond: 0.05, p50Ms: 30, p99Ms: 40 },
    floorRatio: { deliveriesPerSecond: 0.75, p99Ms: 1.5, ...floorRatio },
    floorBaselineRatio: { deliveriesPerSecond: 0.07, p99Ms: 27 },
  };
}

const status = (rows: ComparisonRow[], skipped = {}): Record<string, string> =>
  Object.fromEntries(evaluateTargets(rows, skipped).map((v) => [v.id, v.status]));

describe('evaluateTargets', () => {
  it('passes every target when the runtime meets each threshold at 1000 and 5000 clients', () => {
    expect(status([row({}), row({}, {}, 5000)])).toEqual({
      'zero-loss': 'pass',
      'delivery-rate': 'pass',
      'broadcast-p99': 'pass',
      'setup-rate': 'pass',
    });
  });

  it('states the thresholds the brief sets: 1000 and 5000 clients, 0.6x and 2x the floor, 500/s at 1000', () => {
    expect(TARGETS).toEqual({
      zeroLossAtClients: [1000, 5000],
      minDeliveryRateVsFloor: 0.6,
      maxBroadcastP99VsFloor: 2,
      minSetupPerSecond: 500,
      setupAtClients: 1000,
    });
  });

  it('misses zero loss when one delivery is missing or one client did not open, at either size', () => {
    expect(status([row({ delivered: 19_999 })])['zero-loss']).toBe('miss');
    expect(status([row({ opened: 999 })])['zero-loss']).toBe('miss');
    expect(status([row({}), row({ delivered: 99_999, expected: 100_000 }, {}, 5000)])['zero-loss']).toBe(
      'miss',
    );
  });

  it('does not judge zero loss at other sizes', () => {
    const [zeroLoss] = evaluateTargets([row({ delivered: 1 }, {}, 100), row({ delivered: 1 }, {}, 2000)]);

    expect(zeroLoss?.checks.map((c) => c.row)).toEqual(['N=1000', 'N=5000']);
    expect(zeroLoss?.status).toBe('n/a');
  });

  it('lists a named fleet size no row measured as n/a, with the limit that stopped it', () => {
    const [zeroLoss] = evaluateTargets([row({})], { 5000: 'time: ~400 s estimated' });

    expect(zeroLoss?.checks).toEqual([
      { row: 'broadcast N=1000', value: '20000/20000 delivered, 0 clients not opened', status: 'pass' },
      { row: 'N=5000', value: 'not measured: time: ~400 s estimated', status: 'n/a' },
    ]);
    // A size left out is not a miss: the sizes that were measured decide.
    expect(zeroLoss?.status).toBe('pass');
  });

  it('misses the delivery rate below 0.6x the floor, on any scenario, and passes at exactly 0.6x', () => {
    expect(status([row({}, { deliveriesPerSecond: 0.59 })])['delivery-rate']).toBe('miss');
    expect(
      status([{ ...row({}, { deliveriesPerSecond: 0.59 }), scenario: 'publish' }])['delivery-rate'],
    ).toBe('miss');
    expect(status([row({}, { deliveriesPerSecond: 0.6 })])['delivery-rate']).toBe('pass');
  });

  it('misses the broadcast p99 above 2x the floor, and passes at exactly 2x', () => {
    expect(status([row({}, { p99Ms: 2.01 })])['broadcast-p99']).toBe('miss');
    expect(status([row({}, { p99Ms: 2 })])['broadcast-p99']).toBe('pass');
  });

  it('judges the p99 target on broadcast rows only', () => {
    const publish: ComparisonRow = { ...row({}, { p99Ms: 50 }), scenario: 'publish' };

    expect(status([publish])['broadcast-p99']).toBe('n/a');
  });

  it('judges against the floor only: without a floor measured, rate and p99 are n/a whatever plain ws did', () => {
    const noFloor: ComparisonRow = {
      ...row({}, { deliveriesPerSecond: null, p99Ms: null }),
      floor: undefined,
      ratio: {
        setupPerSecond: 0.01,
        deliveredFraction: 1,
        deliveriesPerSecond: 0.001,
        p50Ms: 900,
        p99Ms: 900,
      },
    };

    expect(status([noFloor])).toMatchObject({ 'delivery-rate': 'n/a', 'broadcast-p99': 'n/a' });
  });

  it('misses a rate or p99 target when the ratio could not be computed although the floor ran', () => {
    expect(status([row({}, { deliveriesPerSecond: null, p99Ms: null })])).toMatchObject({
      'delivery-rate': 'miss',
      'broadcast-p99': 'miss',
    });
  });

  it('judges setup at 1000 clients only: below 500/s or unmeasured misses, other sizes are ignored', () => {
    expect(status([row({ setupPerSecond: 499 })])['setup-rate']).toBe('miss');
    expect(status([row({ setupPerSecond: null })])['setup-rate']).toBe('miss');
    expect(status([row({ setupPerSecond: 500 })])['setup-rate']).toBe('pass');
    expect(status([row({}), row({ setupPerSecond: 100 }, {}, 5000)])['setup-rate']).toBe('pass');
    expect(status([row({ setupPerSecond: 100 }, {}, 100)])['setup-rate']).toBe('n/a');
  });

  it('lists the measured value of every row it judged', () => {
    const verdicts = evaluateTargets([row({ delivered: 19_990 }, { deliveriesPerSecond: 0.4123 })]);

    expect(verdicts.find((v) => v.id === 'zero-loss')?.checks[0]).toEqual({
      row: 'broadcast N=1000',
      value: '19990/20000 delivered, 0 clients not opened',
      status: 'miss',
    });
    expect(verdicts.find((v) => v.id === 'delivery-rate')?.checks).toEqual([
      { row: 'broadcast N=1000', value: '0.41x', status: 'miss' },
    ]);
    expect(verdicts.find((v) => v.id === 'setup-rate')?.checks).toEqual([
      { row: 'broadcast N=1000', value: '600/s', status: 'pass' },
    ]);
  });
});
