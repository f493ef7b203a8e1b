/**
 * Turns comparison rows and target verdicts into the printed report: a fixed-width table for humans, the
 * floor's cost over plain ws, the target verdicts, where the CPU went, what each fleet size cost the machine
 * (or why it was skipped), and one JSON line for machines.
 *
 * @module
 */
import type { ComparisonRow, SideFigures } from './comparison.js';
import type { FleetRecord } from './limits.js';
import type { CpuSpent } from './resources.js';
import type { ScenarioResult } from './scenarios.js';
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
export const FLOOR_LABEL = 'floor (SDK PostToConnection per delivery) vs plain ws';

/**
 * One line per row that measured both the floor and plain ws: the floor's deliveries/s and p99 as multiples
 * of plain ws, i.e. what the Management API round trip through the handlers' SDK client costs by itself — the
 * best runtime ÷ plain ws ratio any faithful emulator can reach. Empty when no row has both.
 *
 * @example
 * // floor (SDK PostToConnection per delivery) vs plain ws: deliveries/s 0.05x, p99 12.4x (broadcast N=1000)
 */
export function formatFloorCeiling(rows: readonly ComparisonRow[]): string {
  return rows
    .filter((row) => row.floor !== undefined && row.baseline !== undefined)
    .map((row) => {
      const rate = formatRatio(row.floorBaselineRatio.deliveriesPerSecond);
      const p99 = formatRatio(row.floorBaselineRatio.p99Ms);
      return `${FLOOR_LABEL}: deliveries/s ${rate}, p99 ${p99} (${row.scenario} N=${row.clients})`;
    })
    .join('\n');
}

/** The printed form of a status: `PASS`, `MISS` or `N/A`. */
export function verdictWord(status: TargetVerdict['status']): string {
  return status === 'n/a' ? 'N/A' : status.toUpperCase();
}

/** One line per target (`PASS`, `MISS` or `N/A`), then one indented line per row (or fleet size) it judged. */
export function formatTargets(verdicts: readonly TargetVerdict[]): string {
  return verdicts
    .flatMap((v) => [
      `${verdictWord(v.status).padEnd(4)} ${v.description}`,
      ...v.checks.map((c) => `       ${verdictWord(c.status).padEnd(4)} ${c.row}: ${c.value}`),
    ])
    .join('\n');
}

/** Pads every column of `lines` to its widest cell (first column left-aligned, the others right-aligned). */
function alignColumns(lines: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const line of lines) {
    line.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return lines.map((line) =>
    line
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const SERVER_LABELS: Readonly<Record<ScenarioResult['server'], string>> = {
  runtime: 'runtime',
  baseline: 'ws',
  floor: 'floor',
};

function cpuCells(cpu: CpuSpent | undefined, per: number, scale: number, digits: number): string[] {
  if (cpu === undefined || per <= 0) return [MISSING, MISSING, MISSING, MISSING, MISSING];
  const cell = (ms: number): string => ((ms * scale) / per).toFixed(digits);
  const total = cpu.mainThreadMs + cpu.otherThreadsMs + cpu.childrenMs;
  return [
    cell(cpu.mainThreadMs),
    cell(cpu.otherThreadsMs),
    cell(cpu.childrenMs),
    cell(total),
    cell(cpu.elsewhereMs),
  ];
}

/**
 * Where the CPU went, per result: during the rounds, in µs per delivery, and while the fleet opened, in ms per
 * connection — each split into this process's main thread (clients, servers, gateway, Management API), its
 * other threads (dynalite, the floor's relays, GC helpers) and its child processes (the Lambda environments),
 * with their total; then what the rest of the machine used meanwhile (`elsewhere`: on a shared machine, CPU the
 * benchmark could not have). The benchmark's own clients are in the main thread of every server alike. Empty
 * when nothing was sampled.
 */
export function formatCpu(results: readonly ScenarioResult[]): string {
  const sampled = results.filter((r) => r.delivery.cpu !== undefined || r.setup.cpu !== undefined);
  if (sampled.length === 0) return '';
  const header = [
    'scenario',
    'N',
    'server',
    'main',
    'threads',
    'lambdas',
    'total',
    'elsewhere',
    '|',
    'main',
    'threads',
    'lambdas',
    'total',
    'elsewhere',
  ];
  const lines = sampled.map((r) => [
    r.scenario,
    r.clients.toString(),
    SERVER_LABELS[r.server],
    ...cpuCells(r.delivery.cpu, r.delivery.delivered, 1000, 0),
    '|',
    ...cpuCells(r.setup.cpu, r.setup.opened, 1, 2),
  ]);
  return [
    'cpu per delivery (µs, during the rounds) | cpu per connection opened (ms, while the fleet opened)',
    ...alignColumns([header, ...lines]),
  ].join('\n');
}

/**
 * One line per fleet size: how long all its scenarios took and the most it held (descriptors against the
 * limit, resident memory of this process and of the Lambda processes), or why it was skipped.
 */
export function formatFleets(fleets: readonly FleetRecord[]): string {
  const mb = (n: number): string => `${Math.round(n).toLocaleString('en-US')} MB`;
  return fleets
    .map((fleet) => {
      if (fleet.skipped !== undefined) return `N=${fleet.clients}: not measured, ${fleet.skipped}`;
      const limit =
        fleet.openFileLimit === undefined ? '' : ` of ${fleet.openFileLimit.toLocaleString('en-US')} allowed`;
      return `N=${fleet.clients}: ${(fleet.durationMs / 1000).toFixed(0)} s for every scenario and server; peak ${fleet.peakOpenFiles.toLocaleString('en-US')} file descriptors${limit}, ${mb(fleet.peakRssMb)} resident + ${mb(fleet.peakChildrenRssMb)} in Lambda processes`;
    })
    .join('\n');
}

function rounded(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}

/** The machine-readable line: `{"bench":"realtime",…}` with every figure, floats rounded to 3 decimals. */
export function formatJsonLine(figures: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ bench: 'realtime', ...figures }, rounded);
}
