/**
 * Turns comparison rows and target verdicts into the printed report: a fixed-width table for humans, the
 * floor's ceiling lines, the target verdicts, and one JSON line for machines.
 *
 * @module
 */
import type { ComparisonRow, SideFigures } from './comparison.js';
import { TARGETS, type TargetVerdict } from './targets.js';

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

/** A ratio of two servers' figures with an `x`: two decimals below 10, one below 100, none above. */
export function formatRatio(value: number | null): string {
  if (value === null) return MISSING;
  const abs = Math.abs(value);
  return `${value.toFixed(abs < 10 ? 2 : abs < 100 ? 1 : 0)}x`;
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

type Side = 'runtime' | 'baseline' | 'floor';

const SIDE_LABELS: Readonly<Record<Side, string>> = { runtime: 'runtime', baseline: 'ws', floor: 'floor' };

function sideColumn(group: string, side: Side, pick: (figures: SideFigures) => string): Column {
  return {
    group,
    label: SIDE_LABELS[side],
    align: 'right',
    cell: (row) => {
      const figures = row[side];
      return figures === undefined ? MISSING : pick(figures);
    },
  };
}

function ratioColumn(group: string, label: string, pick: (row: ComparisonRow) => number | null): Column {
  return { group, label, align: 'right', cell: (row) => formatRatio(pick(row)) };
}

/**
 * The table's columns. The runtime and plain ws figures of every metric are always there; runtime ÷ plain ws
 * only where a target reads it (deliveries/s and p99; the others are in the JSON line); the floor and
 * runtime ÷ floor only under deliveries/s and p99, and only when a row measured the floor — so the table stays
 * within ~160 columns.
 */
function columnsFor(withFloor: boolean): Column[] {
  const floorColumns = (group: string, pick: (figures: SideFigures) => string): Column[] =>
    withFloor ? [sideColumn(group, 'floor', pick)] : [];
  const floorRatio = (group: string, pick: (row: ComparisonRow) => number | null): Column[] =>
    withFloor ? [ratioColumn(group, 'rt/floor', pick)] : [];
  const rate = (s: SideFigures): string => formatRate(s.deliveriesPerSecond);
  // The floor has no delivered column of its own: a cut-short floor round marks its rate instead.
  const floorRate = (s: SideFigures): string => `${rate(s)}${s.complete ? '' : CUT_MARK}`;
  const p99 = (s: SideFigures): string => formatMs(s.p99Ms);
  return [
    { group: '', label: 'scenario', align: 'left', cell: (r) => r.scenario },
    { group: '', label: 'N', align: 'right', cell: (r) => r.clients.toString() },
    sideColumn('setup/s', 'runtime', (s) => formatRate(s.setupPerSecond)),
    sideColumn('setup/s', 'baseline', (s) => formatRate(s.setupPerSecond)),
    sideColumn('delivered/expected', 'runtime', formatDelivered),
    sideColumn('delivered/expected', 'baseline', formatDelivered),
    sideColumn('deliveries/s', 'runtime', rate),
    sideColumn('deliveries/s', 'baseline', rate),
    ...floorColumns('deliveries/s', floorRate),
    ratioColumn('deliveries/s', 'rt/ws', (r) => r.ratio.deliveriesPerSecond),
    ...floorRatio('deliveries/s', (r) => r.floorRatio.deliveriesPerSecond),
    sideColumn('p50 ms', 'runtime', (s) => formatMs(s.p50Ms)),
    sideColumn('p50 ms', 'baseline', (s) => formatMs(s.p50Ms)),
    sideColumn('p99 ms', 'runtime', p99),
    sideColumn('p99 ms', 'baseline', p99),
    ...floorColumns('p99 ms', p99),
    ratioColumn('p99 ms', 'rt/ws', (r) => r.ratio.p99Ms),
    ...floorRatio('p99 ms', (r) => r.floorRatio.p99Ms),
  ];
}

const CELL_GAP = '  ';
const GROUP_GAP = ' | ';

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/**
 * Renders one line per scenario × fleet size, with runtime and plain ws side by side under each metric and
 * their ratio (`rt/ws`) under deliveries/s and p99; when the floor was measured, its deliveries/s and p99 and
 * the runtime ÷ floor ratio (`rt/floor`) too. Columns widen to their longest cell, and a group widens its last column to fit its title.
 * A delivered count (or a floor rate) cut short by a deadline is marked, with a legend line under the table.
 */
export function formatTable(rows: readonly ComparisonRow[]): string {
  const columns = columnsFor(rows.some((row) => row.floor !== undefined));
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.label.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const groups: { title: string; from: number; to: number }[] = [];
  columns.forEach((column, i) => {
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
        columns
          .slice(group.from, group.to + 1)
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
  const cut = rows.some((row) =>
    [row.runtime, row.baseline, row.floor].some((side) => side?.complete === false),
  );
  const legend = cut ? [`${CUT_MARK} the wait ended (deadline or idle) before every delivery arrived`] : [];
  return [groupLine, line(columns.map((c) => c.label)), ...cells.map(line), ...legend].join('\n');
}

/** What the floor's figures mean, printed with {@link formatFloorCeiling}'s lines. */
export const FLOOR_LABEL = 'floor (HTTP POST per delivery) vs plain ws';

/**
 * One line per row that measured both the floor and plain ws: the floor's deliveries/s and p99 as multiples
 * of plain ws, i.e. the best runtime ÷ plain ws ratio any emulator doing one HTTP POST per delivery can reach.
 * Rows where even the floor is under the delivery-rate target say so. Empty when no row has both.
 *
 * @example
 * // floor (HTTP POST per delivery) vs plain ws: deliveries/s 0.30x, p99 2.41x (broadcast N=1000; below the 0.33x target)
 */
export function formatFloorCeiling(rows: readonly ComparisonRow[]): string {
  return rows
    .filter((row) => row.floor !== undefined && row.baseline !== undefined)
    .map((row) => {
      const rate = row.floorBaselineRatio.deliveriesPerSecond;
      const below =
        rate !== null && rate < TARGETS.minDeliveryRateRatio
          ? `; below the ${TARGETS.minDeliveryRateRatio.toFixed(2)}x target`
          : '';
      const p99 = formatRatio(row.floorBaselineRatio.p99Ms);
      return `${FLOOR_LABEL}: deliveries/s ${formatRatio(rate)}, p99 ${p99} (${row.scenario} N=${row.clients}${below})`;
    })
    .join('\n');
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
