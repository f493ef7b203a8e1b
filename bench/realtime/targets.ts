/**
 * The project's performance targets for the offline runtime, judged against the comparison rows. A missed
 * target is a finding to report, not a crash: the benchmark still exits 0.
 *
 * @module
 */
import type { ComparisonRow } from './comparison.js';

/** The thresholds, in one place. */
export const TARGETS = {
  /** Fleet size from which not a single delivery may be lost. */
  zeroLossFromClients: 1000,
  /** Runtime deliveries/s ÷ baseline deliveries/s must be at least this. */
  minDeliveryRateRatio: 1 / 3,
  /** Runtime broadcast p99 ÷ baseline broadcast p99 must be at most this. */
  maxBroadcastP99Ratio: 10,
  /** Runtime connections opened per second must be at least this. */
  minSetupPerSecond: 500,
} as const;

/** `n/a` when no row measured what the target needs. */
export type TargetStatus = 'pass' | 'fail' | 'n/a';

/** The verdict on one target, with the measured value of every row it looked at. */
export interface TargetVerdict {
  readonly id: 'zero-loss' | 'delivery-rate' | 'broadcast-p99' | 'setup-rate';
  readonly description: string;
  readonly status: TargetStatus;
  /** One entry per row judged, e.g. `broadcast N=1000: 0.41 (pass)`. */
  readonly checks: readonly { readonly row: string; readonly value: string; readonly pass: boolean }[];
}

type Check = TargetVerdict['checks'][number];

function verdict(id: TargetVerdict['id'], description: string, checks: Check[]): TargetVerdict {
  const status: TargetStatus = checks.length === 0 ? 'n/a' : checks.every((c) => c.pass) ? 'pass' : 'fail';
  return { id, description, status, checks };
}

const rowName = (row: ComparisonRow): string => `${row.scenario} N=${row.clients}`;

/** Judges every target on every row it applies to; a row where a figure is missing fails that target. */
export function evaluateTargets(rows: readonly ComparisonRow[]): TargetVerdict[] {
  const zeroLoss: Check[] = [];
  const deliveryRate: Check[] = [];
  const broadcastP99: Check[] = [];
  const setupRate: Check[] = [];
  for (const row of rows) {
    const { runtime, baseline } = row;
    if (runtime === undefined) continue;
    if (row.clients >= TARGETS.zeroLossFromClients) {
      const lost = runtime.expected - runtime.delivered;
      const unopened = row.clients - runtime.opened;
      zeroLoss.push({
        row: rowName(row),
        value: `${runtime.delivered}/${runtime.expected} delivered, ${unopened} clients not opened`,
        pass: lost === 0 && unopened === 0 && runtime.expected > 0,
      });
    }
    if (baseline !== undefined) {
      const r = row.ratio.deliveriesPerSecond;
      deliveryRate.push({
        row: rowName(row),
        value: r === null ? 'not measured' : `${r.toFixed(2)}x`,
        pass: r !== null && r >= TARGETS.minDeliveryRateRatio,
      });
      if (row.scenario === 'broadcast') {
        const p99 = row.ratio.p99Ms;
        broadcastP99.push({
          row: rowName(row),
          value: p99 === null ? 'not measured' : `${p99.toFixed(2)}x`,
          pass: p99 !== null && p99 <= TARGETS.maxBroadcastP99Ratio,
        });
      }
    }
    const setup = runtime.setupPerSecond;
    setupRate.push({
      row: rowName(row),
      value: setup === null ? 'not measured' : `${setup.toFixed(0)}/s`,
      pass: setup !== null && setup >= TARGETS.minSetupPerSecond,
    });
  }
  return [
    verdict('zero-loss', `zero loss at ${TARGETS.zeroLossFromClients}+ clients`, zeroLoss),
    verdict('delivery-rate', 'runtime deliveries/s >= 1/3 of plain ws', deliveryRate),
    verdict('broadcast-p99', `broadcast p99 <= ${TARGETS.maxBroadcastP99Ratio}x plain ws`, broadcastP99),
    verdict('setup-rate', `connection setup >= ${TARGETS.minSetupPerSecond}/s`, setupRate),
  ];
}
