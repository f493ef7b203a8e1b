/**
 * The figures of one `bench:fanout` run and the table that prints them.
 *
 * @module
 */
import type { FanOutBenchOptions } from './options.js';

/** What one audience size came to. */
export interface BenchRun {
  readonly size: number;
  readonly mode: 'inline' | 'queued';
  /** From the publish to its ack, ms. */
  readonly ackMs: number;
  /** From the publish to the last first delivery, ms. */
  readonly lastDeliveryMs: number;
  /** The least time the account limit allows for `size` posts, ms. */
  readonly floorMs: number;
  /** Distinct recipients reached. */
  readonly delivered: number;
  /** POSTs made (retries and 429s included). */
  readonly posts: number;
  /** POSTs the account limit refused (429). */
  readonly throttled: number;
  /** Wall time of every invocation (publisher and workers), seconds. */
  readonly lambdaSeconds: number;
  readonly invocations: number;
  /** Queue messages sent. */
  readonly slices: number;
  readonly deadLettered: number;
  readonly timedOut: boolean;
}

/** Delivered per second of the time to the last delivery. */
export const postsPerSecond = (run: BenchRun): number =>
  run.lastDeliveryMs > 0 ? (run.delivered / run.lastDeliveryMs) * 1000 : 0;

/** Recipients never reached. */
export const lossOf = (run: BenchRun): number => run.size - run.delivered;

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/** The table: one row per size, then the settings it ran with. */
export const formatRuns = (runs: readonly BenchRun[], options: FanOutBenchOptions): string => {
  const header = [
    'recipients',
    'mode',
    'ack ms',
    'last delivery s',
    'floor s',
    'posts/s',
    '429s',
    'Lambda-s',
    'invocations',
    'slices',
    'DLQ',
    'loss',
  ];
  const rows = runs.map((run) => [
    run.size.toLocaleString('en-US'),
    run.mode,
    run.ackMs.toFixed(0),
    seconds(run.lastDeliveryMs) + (run.timedOut ? ' (timed out)' : ''),
    seconds(run.floorMs),
    Math.round(postsPerSecond(run)).toLocaleString('en-US'),
    run.throttled.toLocaleString('en-US'),
    run.lambdaSeconds.toFixed(1),
    String(run.invocations),
    String(run.slices),
    String(run.deadLettered),
    String(lossOf(run)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
    '',
    `post ${options.latencyMs} ± ${options.jitterMs} ms; account ${options.accountRate.toLocaleString('en-US')} posts/s ` +
      `(burst ${options.accountBurst}); ${options.workers} workers × ${options.concurrency} in flight; inline below ` +
      `${options.inlineLimit}; slices of ${options.sliceSize}; queue ${options.queueLatencyMs} ms; page ${options.pageLatencyMs} ms`,
  ].join('\n');
};
