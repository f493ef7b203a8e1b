/**
 * Turns comparison rows and target verdicts into the printed report: a fixed-width table for humans, the
 * target verdicts, and one JSON line for machines.
 *
 * @module
 */
import type { ComparisonRow, SideFigures } from './comparison.js';
import type { TargetVerdict } from './targets.js';

const MISSING = '-';

/** A rate, rounded to a whole number per second. */
export function formatRate(value: number | null): string {
  return value === null ? MISSING : Math.round(value).toString();
}

/** A latency in ms: one decimal below 100 ms, whole ms above. */
export function formatMs(value: number | null): string {
  if (value === null) return MISSING;
  return value < 100 ? value.toFixed(1) : Math.round(value).toString();
}

/** A runtime/baseline ratio with two decimals and an `x`. */
export function formatRatio(value: number | null): string {
  return value === null ? MISSING : `${value.toFixed(2)}x`;
}

/** Marks a delivered count that is only what arrived before the phase's deadline or idle cut-off. */
export const CUT_MARK = '*';

function formatDelivered(side: SideFigures | undefined): string {
  if (side === undefined) return MISSING;
  return `${side.delivered}/${side.expected}${side.complete ? '' : CUT_MARK}`;
}

interface Column {
  readonly group: string;
  readonly label: string;
  readonly align: 'left' | 'right';
  readonly cell: (row: ComparisonRow) => string;
}

function metric(
  group: string,
  pick: (side: SideFigures) => string,
  pickRatio: (row: ComparisonRow) => string,
): Column[] {
  return [
    { group, label: 'runtime', align: 'right', cell: (r) => (r.runtime ? pick(r.runtime) : MISSING) },
    { group, label: 'ws', align: 'right', cell: (r) => (r.baseline ? pick(r.baseline) : MISSING) },
    { group, label: 'ratio', align: 'right', cell: pickRatio },
  ];
}

const COLUMNS: readonly Column[] = [
  { group: '', label: 'scenario', align: 'left', cell: (r) => r.scenario },
  { group: '', label: 'N', align: 'right', cell: (r) => r.clients.toString() },
  ...metric(
    'setup/s',
    (s) => formatRate(s.setupPerSecond),
    (r) => formatRatio(r.ratio.setupPerSecond),
  ),
  ...metric(
    'delivered/expected',
    (s) => formatDelivered(s),
    (r) => formatRatio(r.ratio.deliveredFraction),
  ),
  ...metric(
    'deliveries/s',
    (s) => formatRate(s.deliveriesPerSecond),
    (r) => formatRatio(r.ratio.deliveriesPerSecond),
  ),
  ...metric(
    'p50 ms',
    (s) => formatMs(s.p50Ms),
    (r) => formatRatio(r.ratio.p50Ms),
  ),
  ...metric(
    'p99 ms',
    (s) => formatMs(s.p99Ms),
    (r) => formatRatio(r.ratio.p99Ms),
  ),
];

const CELL_GAP = '  ';
const GROUP_GAP = ' | ';

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/**
 * Renders one line per scenario × fleet size, with runtime, plain-ws and ratio side by side under each
 * metric. Columns widen to their longest cell, and a group widens its last column to fit its title. A
 * delivered count cut short by a deadline is marked, with a legend line under the table.
 */
export function formatTable(rows: readonly ComparisonRow[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.cell(row)));
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.label.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const groups: { title: string; from: number; to: number }[] = [];
  COLUMNS.forEach((column, i) => {
    const last = groups.at(-1);
    if (last !== undefined && last.title === column.group) last.to = i;
    else groups.push({ title: column.group, from: i, to: i });
  });
  for (const group of groups) {
    const span = widths.slice(group.from, group.to + 1).reduce((a, b) => a + b, 0);
    const inner = span + CELL_GAP.length * (group.to - group.from);
    if (group.title.length > inner) widths[group.to] = (widths[group.to] ?? 0) + group.title.length - inner;
  }
  const line = (texts: readonly string[]): string =>
    groups
      .map((group) =>
        COLUMNS.slice(group.from, group.to + 1)
          .map((column, k) => pad(texts[group.from + k] ?? '', widths[group.from + k] ?? 0, column.align))
          .join(CELL_GAP),
      )
      .join(GROUP_GAP)
      .trimEnd();
  const groupLine = groups
    .map((group) => {
      const span = widths.slice(group.from, group.to + 1).reduce((a, b) => a + b, 0);
      return group.title.padEnd(span + CELL_GAP.length * (group.to - group.from));
    })
    .join(GROUP_GAP)
    .trimEnd();
  const cut = rows.some((row) => row.runtime?.complete === false || row.baseline?.complete === false);
  const legend = cut ? [`${CUT_MARK} the wait ended (deadline or idle) before every delivery arrived`] : [];
  return [groupLine, line(COLUMNS.map((c) => c.label)), ...cells.map(line), ...legend].join('\n');
}

/** One line per target (`PASS`, `FAIL` or `N/A`), then one indented line per row it judged. */
export function formatTargets(verdicts: readonly TargetVerdict[]): string {
  return verdicts
    .flatMap((v) => [
      `${v.status.toUpperCase().padEnd(4)} ${v.description}`,
      ...v.checks.map((c) => `       ${c.pass ? 'ok  ' : 'MISS'} ${c.row}: ${c.value}`),
    ])
    .join('\n');
}

function rounded(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}

/** The machine-readable line: `{"bench":"realtime",…}` with every figure, floats rounded to 3 decimals. */
export function formatJsonLine(figures: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ bench: 'realtime', ...figures }, rounded);
}
