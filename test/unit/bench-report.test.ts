import { describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../../bench/realtime/comparison.js';
import type { FleetRecord } from '../../bench/realtime/limits.js';
import {
  FLOOR_LABEL,
  formatCpu,
  formatFleets,
  formatFloorCeiling,
  formatJsonLine,
  formatMs,
  formatRate,
  formatRatio,
  formatTable,
  formatTargets,
} from '../../bench/realtime/report.js';
import type { ScenarioResult } from '../../bench/realtime/scenarios.js';

const row: ComparisonRow = {
  scenario: 'publish',
  clients: 1000,
  runtime: {
    setupPerSecond: 612.4,
    opened: 1000,
    delivered: 19_990,
    expected: 20_000,
    complete: true,
    deliveriesPerSecond: 8123.6,
    p50Ms: 41.26,
    p99Ms: 180.4,
  },
  baseline: {
    setupPerSecond: 2500,
    opened: 1000,
    delivered: 20_000,
    expected: 20_000,
    complete: true,
    deliveriesPerSecond: 30_000,
    p50Ms: 12,
    p99Ms: 20,
  },
  ratio: {
    setupPerSecond: 0.245,
    deliveredFraction: 0.9995,
    deliveriesPerSecond: 0.27,
    p50Ms: 3.44,
    p99Ms: 9.02,
  },
  floorRatio: { deliveriesPerSecond: null, p99Ms: null },
  floorBaselineRatio: { deliveriesPerSecond: null, p99Ms: null },
};

/** The same row with the floor measured too. */
const withFloor: ComparisonRow = {
  ...row,
  floor: {
    setupPerSecond: 2400,
    opened: 1000,
    delivered: 20_000,
    expected: 20_000,
    complete: true,
    deliveriesPerSecond: 9000,
    p50Ms: 30,
    p99Ms: 60,
  },
  floorRatio: { deliveriesPerSecond: 0.9026, p99Ms: 3.0067 },
  floorBaselineRatio: { deliveriesPerSecond: 0.3, p99Ms: 3 },
};

describe('number formatting', () => {
  it('rounds rates to whole numbers and shows a dash when missing', () => {
    expect(formatRate(8123.6)).toBe('8124');
    expect(formatRate(null)).toBe('-');
  });

  it('keeps one decimal for latencies under 100 ms only', () => {
    expect(formatMs(41.26)).toBe('41.3');
    expect(formatMs(180.4)).toBe('180');
  });

  it('shows ratios with two decimals and an x, fewer from 10x up so the columns stay narrow', () => {
    expect(formatRatio(0.245)).toBe('0.24x');
    expect(formatRatio(9.024)).toBe('9.02x');
    expect(formatRatio(34.44)).toBe('34.4x');
    expect(formatRatio(617.2)).toBe('617x');
    expect(formatRatio(null)).toBe('-');
  });
});

describe('formatTable', () => {
  it('prints a group line, a label line and one line per row', () => {
    const lines = formatTable([row, { ...row, scenario: 'broadcast' }]).split('\n');

    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('delivered/expected');
    expect(lines[1]).toMatch(/^scenario\s+N \|\s+runtime\s+ws \|/);
    expect(lines[3]).toMatch(/^broadcast/);
  });

  it('puts runtime and plain ws side by side under each metric, and their ratio under deliveries/s and p99', () => {
    const line = formatTable([row]).split('\n')[2] ?? '';

    expect(line.split('|').map((cell) => cell.trim().split(/\s+/))).toEqual([
      ['publish', '1000'],
      ['612', '2500'],
      ['19990/20000', '20000/20000'],
      ['8124', '30000', '0.27x'],
      ['41.3', '12.0'],
      ['180', '20.0', '9.02x'],
    ]);
  });

  it('adds the floor and runtime ÷ floor under deliveries/s and p99 when a row measured the floor', () => {
    const [, labels, line] = formatTable([withFloor, row]).split('\n');

    expect(labels?.split('|').map((cell) => cell.trim().split(/\s+/))).toEqual([
      ['scenario', 'N'],
      ['runtime', 'ws'],
      ['runtime', 'ws'],
      ['runtime', 'ws', 'floor', 'rt/ws', 'rt/floor'],
      ['runtime', 'ws'],
      ['runtime', 'ws', 'floor', 'rt/ws', 'rt/floor'],
    ]);
    expect(line?.split('|').map((cell) => cell.trim().split(/\s+/))).toEqual([
      ['publish', '1000'],
      ['612', '2500'],
      ['19990/20000', '20000/20000'],
      ['8124', '30000', '9000', '0.27x', '0.90x'],
      ['41.3', '12.0'],
      ['180', '20.0', '60.0', '9.02x', '3.01x'],
    ]);
  });

  it('stays within 160 columns at 1000 clients with every server measured, even at large figures', () => {
    const wide: ComparisonRow = {
      ...withFloor,
      scenario: 'broadcast',
      runtime: row.runtime && {
        ...row.runtime,
        setupPerSecond: 12_345,
        complete: false,
        deliveriesPerSecond: 123_456,
        p50Ms: 1234,
        p99Ms: 12_345,
      },
      baseline: row.baseline && { ...row.baseline, deliveriesPerSecond: 987_654, p99Ms: 12_345 },
      floor: withFloor.floor && {
        ...withFloor.floor,
        deliveriesPerSecond: 123_456,
        p99Ms: 12_345,
        complete: false,
      },
      ratio: {
        setupPerSecond: 4.9,
        deliveredFraction: 0.99,
        deliveriesPerSecond: 0.12,
        p50Ms: 102.8,
        p99Ms: 617.2,
      },
      floorRatio: { deliveriesPerSecond: 1, p99Ms: 205.7 },
    };

    const lines = formatTable([wide]).split('\n');

    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(160);
  });

  it('aligns every line on the same column separators', () => {
    const lines = formatTable([row, { ...row, clients: 5, runtime: undefined }]).split('\n');
    const separators = lines.map((line) => [...line.matchAll(/\|/g)].map((m) => m.index));

    expect(new Set(separators.map((s) => s.join(','))).size).toBe(1);
  });
  it('marks a delivered count cut short by a deadline and explains the mark under the table', () => {
    const runtime = row.runtime && { ...row.runtime, complete: false };

    const lines = formatTable([{ ...row, runtime }]).split('\n');

    expect(lines[2]).toContain('19990/20000*');
    expect(lines[3]).toMatch(/^\* the wait ended/);
  });

  it('marks the rate of a floor cut short, as the floor has no delivered column', () => {
    const floor = withFloor.floor && { ...withFloor.floor, delivered: 19_000, complete: false };

    const lines = formatTable([{ ...withFloor, floor }]).split('\n');

    expect(lines[2]?.split('|')[3]?.trim().split(/\s+/)).toEqual([
      '8124',
      '30000',
      '9000*',
      '0.27x',
      '0.90x',
    ]);
    expect(lines[3]).toMatch(/^\* the wait ended/);
  });

  it('adds no legend when every wait completed', () => {
    expect(formatTable([row]).split('\n')).toHaveLength(3);
    expect(formatTable([withFloor]).split('\n')).toHaveLength(3);
  });
});

describe('formatFloorCeiling', () => {
  it('prints the floor as a multiple of plain ws for every row that measured both', () => {
    const text = formatFloorCeiling([
      { ...withFloor, scenario: 'broadcast', floorBaselineRatio: { deliveriesPerSecond: 0.41, p99Ms: 2.5 } },
      withFloor,
      row,
    ]);

    expect(text.split('\n')).toEqual([
      `${FLOOR_LABEL}: deliveries/s 0.41x, p99 2.50x (broadcast N=1000)`,
      `${FLOOR_LABEL}: deliveries/s 0.30x, p99 3.00x (publish N=1000)`,
    ]);
    expect(FLOOR_LABEL).toBe('floor (SDK PostToConnection per delivery) vs plain ws');
  });

  it('is empty when no row measured the floor and plain ws', () => {
    expect(formatFloorCeiling([row, { ...withFloor, baseline: undefined }])).toBe('');
  });
});

describe('formatTargets', () => {
  it('prints each verdict as PASS, MISS or N/A with the rows it judged underneath', () => {
    const text = formatTargets([
      {
        id: 'zero-loss',
        description: 'zero loss at 1,000 and 5,000 clients',
        status: 'miss',
        checks: [
          { row: 'publish N=1000', value: '19990/20000 delivered', status: 'miss' },
          { row: 'broadcast N=1000', value: '20000/20000 delivered', status: 'pass' },
          { row: 'N=5000', value: 'not measured: time', status: 'n/a' },
        ],
      },
      { id: 'delivery-rate', description: 'rate', status: 'pass', checks: [] },
      { id: 'setup-rate', description: 'connection setup >= 500/s', status: 'n/a', checks: [] },
    ]);

    expect(text.split('\n')).toEqual([
      'MISS zero loss at 1,000 and 5,000 clients',
      '       MISS publish N=1000: 19990/20000 delivered',
      '       PASS broadcast N=1000: 20000/20000 delivered',
      '       N/A  N=5000: not measured: time',
      'PASS rate',
      'N/A  connection setup >= 500/s',
    ]);
  });
});

function scenarioResult(
  server: ScenarioResult['server'],
  cpu: { delivery?: ScenarioResult['delivery']['cpu']; setup?: ScenarioResult['setup']['cpu'] },
): ScenarioResult {
  return {
    scenario: 'broadcast',
    server,
    clients: 1000,
    setup: {
      opened: 1000,
      failed: 0,
      throttled: 0,
      elapsedMs: 2000,
      perSecond: 500,
      errors: [],
      ...(cpu.setup === undefined ? {} : { cpu: cpu.setup }),
    },
    delivery: {
      expected: 20_000,
      delivered: 20_000,
      duplicates: 0,
      elapsedMs: 10_000,
      perSecond: 2000,
      latencyMs: { p50: 1, p99: 2, max: 3 },
      outcomes: ['complete'],
      rejections: {},
      ...(cpu.delivery === undefined ? {} : { cpu: cpu.delivery }),
    },
    closedByServer: 0,
    leftOpen: 0,
    durationMs: 20_000,
  };
}

describe('formatCpu', () => {
  it('prints CPU per delivery in µs and per connection in ms, split by where it ran, with a total and the rest of the machine', () => {
    const text = formatCpu([
      scenarioResult('runtime', {
        delivery: { mainThreadMs: 4000, otherThreadsMs: 1000, childrenMs: 15_000, elsewhereMs: 2000 },
        setup: { mainThreadMs: 500, otherThreadsMs: 250, childrenMs: 3000, elsewhereMs: 0 },
      }),
      scenarioResult('floor', {
        delivery: { mainThreadMs: 3000, otherThreadsMs: 12_000, childrenMs: 0, elsewhereMs: 0 },
      }),
    ]);
    const [title, header, runtime, floor] = text.split('\n');
    const cells = (line: string | undefined): string[] => line?.split(/\s+/) ?? [];

    expect(title).toContain('µs');
    expect(cells(header)).toEqual(
      ['scenario', 'N', 'server']
        .concat(['main', 'threads', 'lambdas', 'total', 'elsewhere', '|'])
        .concat(['main', 'threads', 'lambdas', 'total', 'elsewhere']),
    );
    // 4000 ms / 20,000 deliveries = 200 µs; 500 ms / 1000 connections = 0.50 ms.
    expect(cells(runtime)).toEqual(
      ['broadcast', '1000', 'runtime', '200', '50', '750', '1000', '100', '|'].concat([
        '0.50',
        '0.25',
        '3.00',
        '3.75',
        '0.00',
      ]),
    );
    expect(cells(floor)).toEqual(
      ['broadcast', '1000', 'floor', '150', '600', '0', '750', '0', '|'].concat(['-', '-', '-', '-', '-']),
    );
  });

  it('is empty when no result was sampled (no /proc)', () => {
    expect(formatCpu([scenarioResult('runtime', {})])).toBe('');
  });
});

describe('formatFleets', () => {
  it('prints what each measured fleet size cost, and the limit that stopped a skipped one', () => {
    const fleets: FleetRecord[] = [
      {
        clients: 1000,
        durationMs: 81_400,
        peakOpenFiles: 2345,
        openFileLimit: 20_000,
        peakRssMb: 412.4,
        peakChildrenRssMb: 1030,
      },
      { clients: 5000, skipped: 'time: ~407 s estimated from N=1000 (81 s), 150 s of the 300 s budget left' },
    ];

    expect(formatFleets(fleets).split('\n')).toEqual([
      'N=1000: 81 s for every scenario and server; peak 2,345 file descriptors of 20,000 allowed, 412 MB resident + 1,030 MB in Lambda processes',
      'N=5000: not measured, time: ~407 s estimated from N=1000 (81 s), 150 s of the 300 s budget left',
    ]);
  });
});

describe('formatJsonLine', () => {
  it('prints one line starting with the bench name, with floats rounded to 3 decimals', () => {
    const line = formatJsonLine({ rows: [{ p99: 1.23456, count: 7 }], note: 'a\nb' });

    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ bench: 'realtime', rows: [{ p99: 1.235, count: 7 }], note: 'a\nb' });
  });
});
