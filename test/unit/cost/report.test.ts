import { describe, expect, it } from 'vitest';
import { estimate } from '../../../bench/cost/model.js';
import { DEFAULT_ASSUMPTIONS, PRESETS } from '../../../bench/cost/options.js';
import { PRICES, PRICES_CHECKED_ON } from '../../../bench/cost/prices.js';
import {
  formatBill,
  formatJsonLine,
  formatMarkdown,
  formatQuantity,
  formatUnitPrice,
  formatUsd,
} from '../../../bench/cost/report.js';

describe('number formatting', () => {
  it('prints dollars with two decimals, keeping amounts under a cent visible', () => {
    expect(formatUsd(0)).toBe('0.00');
    expect(formatUsd(1234.567)).toBe('1,234.57');
    expect(formatUsd(0.01)).toBe('0.01');
    expect(formatUsd(0.000015)).toBe('0.0000150');
  });

  it('prints quantities whole and grouped from 1,000, with three significant digits below 1', () => {
    expect(formatQuantity(144_000_000)).toBe('144,000,000');
    expect(formatQuantity(1721.05)).toBe('1,721');
    expect(formatQuantity(90.189)).toBe('90.19');
    expect(formatQuantity(60)).toBe('60');
    expect(formatQuantity(0.003725)).toBe('0.00373');
  });

  it('prints a unit price per million or per unit, and the tiers a quantity reaches', () => {
    expect(formatUnitPrice(PRICES.apiGatewayConnectionMinute, 1)).toBe('$0.25/1M');
    expect(formatUnitPrice(PRICES.dataTransferOut, 10)).toBe('$0.09/GB');
    expect(formatUnitPrice(PRICES.apiGatewayMessage, 5e8)).toBe('$1.00/1M');
    expect(formatUnitPrice(PRICES.apiGatewayMessage, 2e9)).toBe('$1.00/1M to 1B, then $0.80');
    expect(formatUnitPrice(PRICES.lambdaArmGbSecond, 1)).toBe('$0.0000133334/GB-second');
  });
});

describe('reports', () => {
  const chat = estimate({ workload: PRESETS.chat.workload, assumptions: DEFAULT_ASSUMPTIONS });

  it('prints one row per bill line and the total', () => {
    const rows = formatBill(chat.bill).split('\n');
    expect(rows[0]).toMatch(/^service\s+line\s+quantity\s+unit\s+unit price\s+USD\/month$/);
    expect(rows).toHaveLength(chat.bill.lines.length + 2);
    expect(rows.at(-1)).toMatch(new RegExp(`total\\s+${formatUsd(chat.bill.totalUsd).replace('.', '\\.')}$`));
  });

  it('prints one JSON line with every line, the total, the region and the price date', () => {
    const line = formatJsonLine({
      preset: 'chat',
      workload: PRESETS.chat.workload,
      assumptions: { ...DEFAULT_ASSUMPTIONS, fanOutInlineLimit: Number.POSITIVE_INFINITY },
      ...chat,
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      bench: 'cost',
      region: 'us-east-1',
      pricesCheckedOn: PRICES_CHECKED_ON,
      preset: 'chat',
      assumptions: { fanOutInlineLimit: 'none' },
    });
    expect(parsed.lines).toHaveLength(chat.bill.lines.length);
    expect(parsed.totalUsd).toBeCloseTo(chat.bill.totalUsd, 2);
  });

  it('prints the README tables: one USD column per preset and a bold total', () => {
    const columns = Object.entries(PRESETS).map(([name, preset]) => ({
      name,
      description: preset.description,
      workload: preset.workload,
      bill: estimate({ workload: preset.workload, assumptions: DEFAULT_ASSUMPTIONS }).bill,
    }));
    const markdown = formatMarkdown(columns, DEFAULT_ASSUMPTIONS);
    expect(markdown).toContain('| USD per month | `lobby` | `chat` | `broadcast` |');
    expect(markdown).toContain(`| **total** | **${formatUsd(columns[0]?.bill.totalUsd ?? -1)}** |`);
    expect(markdown).toContain('| `broadcast` | 50,000 | 2 | 120 min | 0.0144 | 50,000 | 1,024 B | 7 |');
    expect(markdown).toContain('free tier ignored');
  });
});
