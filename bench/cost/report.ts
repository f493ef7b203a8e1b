/**
 * Turns an estimate into what `npm run cost` prints: a fixed-width bill for humans, one JSON line for
 * machines, and the README's Markdown table of the three presets.
 *
 * @module
 */
import type { Assumptions, Bill, BillLine, Usage, Workload } from './model.js';
import { PRICE_REGION, PRICES_CHECKED_ON, type UnitPrice } from './prices.js';

const grouped = (value: number, digits: number): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A count or amount: whole and grouped from 1,000, two decimals from 1, three significant digits below. */
export function formatQuantity(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return grouped(Math.round(value), 0);
  if (Math.abs(value) >= 1) return Number.isInteger(value) ? String(value) : grouped(value, 2);
  return value.toPrecision(3);
}

/** Dollars: two decimals, grouped; amounts under a cent keep three significant digits so they are not 0. */
export function formatUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 0.01) return grouped(usd, 2);
  return usd.toPrecision(3);
}

const shortCount = (n: number): string => {
  if (n >= 1e9 && n % 1e7 === 0) return `${n / 1e9}B`;
  if (n >= 1e6 && n % 1e4 === 0) return `${n / 1e6}M`;
  return grouped(n, 0);
};

const dollars = (usd: number): string => {
  const decimals = String(usd).split('.')[1]?.length ?? 0;
  return `$${usd.toFixed(Math.max(2, decimals))}`;
};

/**
 * A unit price as published, per unit or per million (`$0.25/1M`, `$0.09/GB`); for a tiered price, the tiers
 * `quantity` reaches (`$1.00/1M to 1B, then $0.80`).
 */
export function formatUnitPrice(price: UnitPrice, quantity: number): string {
  const per = price.per === 1 ? price.unit : shortCount(price.per);
  const reached = price.tiers.filter((_, i) => i === 0 || quantity > (price.tiers[i - 1]?.upTo ?? 0));
  return reached
    .map((tier, i) => {
      const head = i === 0 ? `${dollars(tier.usd)}/${per}` : `then ${dollars(tier.usd)}`;
      return i < reached.length - 1 ? `${head} to ${shortCount(tier.upTo)}` : head;
    })
    .join(', ');
}

/** One line describing a workload. */
export function describeWorkload(w: Workload): string {
  return (
    `${formatQuantity(w.connections)} connections × ${w.hoursPerDay} h/day × ${w.daysPerMonth} days, ` +
    `${w.sessionMinutes}-min sessions with ${w.subscribesPerConnection} subscribe(s), ` +
    `${formatQuantity(w.messagesPerConnectionPerHour)} publishes/connection/h of ${formatQuantity(w.messageBytes)} B ` +
    `to ${formatQuantity(w.subscribersPerMessage)} subscribers, ${formatQuantity(w.pingsPerConnectionPerHour)} pings/connection/h`
  );
}

/** One line describing the assumptions. */
export function describeAssumptions(a: Assumptions): string {
  const sqs =
    a.fanOutInlineLimit === Number.POSITIVE_INFINITY
      ? 'every fan-out inline (no SQS)'
      : `fan-out through SQS from ${formatQuantity(a.fanOutInlineLimit)} subscribers, ` +
        `${formatQuantity(a.fanOutSliceSize)} per slice, worker ${a.fanOutMemoryMb} MB`;
  return (
    `${a.memoryMb} MB arm64, ${a.baseMs} ms per invocation + ${a.postUs} µs per post, ${a.readConsistency} ` +
    `subscriber reads, ${sqs}; logs ${a.logBytesPerInvocation} B/invocation (+${a.fanoutLogBytes} B per fan-out) ` +
    `+ ${a.accessLogBytes} B/access log line, kept ${a.logRetentionDays} days; ` +
    `EMF ${a.emfBytesPerFanOut} B per fan-out; ${a.customMetrics} custom metrics, ${a.alarms} alarms, ` +
    `${a.dashboards} dashboard(s); ${a.authorizerInvocationsPerConnect} authorizer run(s) per connect, ` +
    `${a.rateLimitWritesPerMessage} rate-limit write(s) per message, ${a.secrets} secret(s)` +
    (a.fanOutInlineLimit === Number.POSITIVE_INFINITY ? '' : `; ${a.sqsIdlePollers} idle SQS pollers`)
  );
}

/** The line's label, service first. */
export const lineLabel = (line: BillLine): string => `${line.service} ${line.item}`;

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (right[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}

/** The bill as a fixed-width table: service, line, quantity, unit, unit price, USD per month; then the total. */
export function formatBill(bill: Bill): string {
  const rows = bill.lines.map((l) => [
    l.service,
    l.item,
    formatQuantity(l.quantity),
    l.price.unit,
    formatUnitPrice(l.price, l.quantity),
    formatUsd(l.usd),
  ]);
  rows.push(['', 'total', '', '', '', formatUsd(bill.totalUsd)]);
  return table(['service', 'line', 'quantity', 'unit', 'unit price', 'USD/month'], rows, [
    false,
    false,
    true,
    false,
    false,
    true,
  ]);
}

/** A few lines on what one publish costs, and on the month's traffic. */
export function formatUsage(usage: Usage): string {
  const p = usage.publish;
  const path =
    p.path === 'inline'
      ? `inline fan-out, ${formatQuantity(p.publishBilledMs)} ms billed`
      : `SQS fan-out in ${p.workerInvocations} slice(s) of ≤ ${formatQuantity(p.sliceBytes)} B, ` +
        `${formatQuantity(p.publishBilledMs)} ms billed + ${formatQuantity(p.workerBilledMs)} ms in workers, ` +
        `${formatQuantity(p.sqsRequests)} SQS requests`;
  const i = usage.invocations;
  return [
    `per publish: ${formatQuantity(p.posts)} posts, ${formatQuantity(p.readUnits)} read unit(s), ` +
      `${p.writeUnits} write unit(s), ${path}`,
    `per month: ${formatQuantity(usage.sessions)} sessions; messages ${formatQuantity(usage.messagesIn)} in + ` +
      `${formatQuantity(usage.messagesOut)} out; invocations: authorizer ${formatQuantity(i.authorizer)}, ` +
      `connect ${formatQuantity(i.connect)}, ` +
      `disconnect ${formatQuantity(i.disconnect)}, subscribe ${formatQuantity(i.subscribe)}, ` +
      `publish ${formatQuantity(i.publish)}, ping ${formatQuantity(i.ping)}, fan-out worker ${formatQuantity(i.fanoutWorker)}`,
    `while active: ${formatQuantity(usage.requestsPerSecond)} route requests/s, ` +
      `${formatQuantity(usage.averageConcurrency)} Lambda executions in flight on average`,
  ].join('\n');
}

function jsonValue(_key: string, value: unknown): unknown {
  if (value === Number.POSITIVE_INFINITY) return 'none';
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
}

/** The machine-readable line: `{"bench":"cost",…}`, floats to 6 significant digits, `Infinity` as `"none"`. */
export function formatJsonLine(figures: {
  readonly preset: string | undefined;
  readonly workload: Workload;
  readonly assumptions: Assumptions;
  readonly usage: Usage;
  readonly bill: Bill;
  readonly warnings: readonly string[];
}): string {
  const { bill, ...rest } = figures;
  return JSON.stringify(
    {
      bench: 'cost',
      region: PRICE_REGION,
      pricesCheckedOn: PRICES_CHECKED_ON,
      freeTier: 'ignored',
      ...rest,
      preset: rest.preset ?? null,
      lines: bill.lines.map((l) => ({
        service: l.service,
        item: l.item,
        quantity: l.quantity,
        unit: l.price.unit,
        usd: l.usd,
      })),
      totalUsd: bill.totalUsd,
    },
    jsonValue,
  );
}

/** One preset's row of the Markdown tables. */
export interface MarkdownColumn {
  readonly name: string;
  readonly description: string;
  readonly workload: Workload;
  readonly bill: Bill;
}

/**
 * The README's tables: what each preset is, then one row per bill line with one USD column per preset, and
 * the totals.
 */
export function formatMarkdown(columns: readonly MarkdownColumn[], assumptions: Assumptions): string {
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const names = columns.map((c) => `\`${c.name}\``);
  const workloads = [
    row([
      'workload',
      'connections',
      'hours/day',
      'session',
      'publishes/conn/h',
      'subscribers',
      'message',
      'pings/conn/h',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...columns.map((c) =>
      row([
        `\`${c.name}\``,
        formatQuantity(c.workload.connections),
        String(c.workload.hoursPerDay),
        `${c.workload.sessionMinutes} min`,
        formatQuantity(c.workload.messagesPerConnectionPerHour),
        formatQuantity(c.workload.subscribersPerMessage),
        `${formatQuantity(c.workload.messageBytes)} B`,
        formatQuantity(c.workload.pingsPerConnectionPerHour),
      ]),
    ),
  ];
  const first = columns[0];
  const lines = first === undefined ? [] : first.bill.lines.map((_, i) => i);
  const costs = [
    row(['USD per month', ...names]),
    row(['---', ...columns.map(() => '---:')]),
    ...lines.map((i) =>
      row([
        first?.bill.lines[i] === undefined ? '' : lineLabel(first.bill.lines[i]),
        ...columns.map((c) => formatUsd(c.bill.lines[i]?.usd ?? 0)),
      ]),
    ),
    row(['**total**', ...columns.map((c) => `**${formatUsd(c.bill.totalUsd)}**`)]),
  ];
  return [
    ...columns.map((c) => `- \`${c.name}\` — ${c.description}.`),
    '',
    ...workloads,
    '',
    ...costs,
    '',
    `Prices: ${PRICE_REGION}, as published, checked ${PRICES_CHECKED_ON} (\`bench/cost/prices.ts\`); free tier ignored. ` +
      `Assumptions: ${describeAssumptions(assumptions)}. Reproduce with \`npm run cost -- --markdown\`, or ` +
      '`npm run cost -- --workload <name>` for the lines in full.',
  ].join('\n');
}
