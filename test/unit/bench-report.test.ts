import { describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../../bench/realtime/comparison.js';
import {
  formatJsonLine,
  formatMs,
  formatRate,
  formatRatio,
  formatTable,
  formatTargets,
} from '../../bench/realtime/report.js';

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

  it('shows ratios with two decimals and an x', () => {
    expect(formatRatio(0.245)).toBe('0.24x');
    expect(formatRatio(null)).toBe('-');
  });
});

describe('formatTable', () => {
  it('prints a group line, a label line and one line per row', () => {
    const lines = formatTable([row, { ...row, scenario: 'broadcast' }]).split('\n');

    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('delivered/expected');
    expect(lines[1]).toMatch(/^scenario\s+N \|\s+runtime\s+ws\s+ratio \|/);
    expect(lines[3]).toMatch(/^broadcast/);
  });

  it('puts runtime, plain ws and ratio side by side under each metric', () => {
    const line = formatTable([row]).split('\n')[2] ?? '';

    expect(line.split('|').map((cell) => cell.trim().split(/\s+/))).toEqual([
      ['publish', '1000'],
      ['612', '2500', '0.24x'],
      ['19990/20000', '20000/20000', '1.00x'],
      ['8124', '30000', '0.27x'],
      ['41.3', '12.0', '3.44x'],
      ['180', '20.0', '9.02x'],
    ]);
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

  it('adds no legend when every wait completed', () => {
    expect(formatTable([row]).split('\n')).toHaveLength(3);
  });
});

describe('formatTargets', () => {
  it('prints each verdict in capitals with the rows it judged underneath', () => {
    const text = formatTargets([
      {
        id: 'zero-loss',
        description: 'zero loss at 1000+ clients',
        status: 'fail',
        checks: [{ row: 'publish N=1000', value: '19990/20000 delivered', pass: false }],
      },
      { id: 'setup-rate', description: 'connection setup >= 500/s', status: 'n/a', checks: [] },
    ]);

    expect(text.split('\n')).toEqual([
      'FAIL zero loss at 1000+ clients',
      '       MISS publish N=1000: 19990/20000 delivered',
      'N/A  connection setup >= 500/s',
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
