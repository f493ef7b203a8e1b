/**
 * The project's performance targets for the offline runtime, judged against the comparison rows: no loss at
 * 1,000 and 5,000 clients, delivery rate and broadcast p99 within reach of the floor (the least any faithful
 * emulator running these handlers can cost), and connection setup through `$connect` + DynamoDB at 500/s.
 * A missed target is a finding to report, not a crash: the benchmark still exits 0.
 *
 * @module
 */
import type { ComparisonRow } from './comparison.js';

/** The thresholds, in one place. */
export const TARGETS = {
  /** Fleet sizes at which not a single delivery may be lost (and every client must open). */
  zeroLossAtClients: [1000, 5000],
  /** Runtime deliveries/s ÷ floor deliveries/s must be at least this. */
  minDeliveryRateVsFloor: 0.6,
  /** Runtime broadcast p99 ÷ floor broadcast p99 must be at most this. */
  maxBroadcastP99VsFloor: 2,
  /** Runtime connections opened per second must be at least this… */
  minSetupPerSecond: 500,
  /** …at this fleet size. */
  setupAtClients: 1000,
} as const;

/** How one target or one of its checks came out; `n/a` when nothing measured what it needs. */
export type TargetStatus = 'pass' | 'miss' | 'n/a';

/** One row (or one fleet size not measured) a target looked at. */
export interface TargetCheck {
  /** e.g. `broadcast N=1000`, or `N=5000` for a fleet size no row measured. */
  readonly row: string;
  /** The measured value, e.g. `0.41x`, or why there is none. */
  readonly value: string;
  readonly status: TargetStatus;
}

/** The verdict on one target, with the measured value of every row it looked at. */
export interface TargetVerdict {
  readonly id: 'zero-loss' | 'delivery-rate' | 'broadcast-p99' | 'setup-rate';
  readonly description: string;
  /** `miss` if any check missed; else `pass` if any passed; else `n/a`. */
  readonly status: TargetStatus;
  readonly checks: readonly TargetCheck[];
}

/** Why a fleet size was not measured (e.g. `file descriptors: …`), by fleet size. */
export type SkippedFleets = Readonly<Record<number, string>>;

function verdict(id: TargetVerdict['id'], description: string, checks: TargetCheck[]): TargetVerdict {
  const statuses = checks.map((check) => check.status);
  const status: TargetStatus = statuses.includes('miss')
    ? 'miss'
    : statuses.includes('pass')
      ? 'pass'
      : 'n/a';
  return { id, description, status, checks };
}

const rowName = (row: ComparisonRow): string => `${row.scenario} N=${row.clients}`;

const passOrMiss = (pass: boolean): TargetStatus => (pass ? 'pass' : 'miss');

/** Checks for the fleet sizes a target names that no row measured: `n/a`, with the reason when one is known. */
function unmeasured(
  sizes: readonly number[],
  rows: readonly ComparisonRow[],
  skipped: SkippedFleets,
): TargetCheck[] {
  return sizes
    .filter((size) => !rows.some((row) => row.clients === size && row.runtime !== undefined))
    .map((size) => ({
      row: `N=${size}`,
      value: `not measured${skipped[size] === undefined ? ' in this run' : `: ${skipped[size]}`}`,
      status: 'n/a',
    }));
}

/**
 * Judges every target on every row it applies to; a row where a figure is missing misses that target, and a
 * fleet size a target names but no row measured is listed as `n/a` with the reason from `skipped`.
 */
export function evaluateTargets(
  rows: readonly ComparisonRow[],
  skipped: SkippedFleets = {},
): TargetVerdict[] {
  const zeroLoss: TargetCheck[] = [];
  const deliveryRate: TargetCheck[] = [];
  const broadcastP99: TargetCheck[] = [];
  const setupRate: TargetCheck[] = [];
  const zeroLossSizes: readonly number[] = TARGETS.zeroLossAtClients;
  for (const row of rows) {
    const { runtime, floor } = row;
    if (runtime === undefined) continue;
    if (zeroLossSizes.includes(row.clients)) {
      const lost = runtime.expected - runtime.delivered;
      const unopened = row.clients - runtime.opened;
      zeroLoss.push({
        row: rowName(row),
        value: `${runtime.delivered}/${runtime.expected} delivered, ${unopened} clients not opened`,
        status: passOrMiss(lost === 0 && unopened === 0 && runtime.expected > 0),
      });
    }
    if (floor !== undefined) {
      const rate = row.floorRatio.deliveriesPerSecond;
      deliveryRate.push({
        row: rowName(row),
        value: rate === null ? 'not measured' : `${rate.toFixed(2)}x`,
        status: passOrMiss(rate !== null && rate >= TARGETS.minDeliveryRateVsFloor),
      });
      if (row.scenario === 'broadcast') {
        const p99 = row.floorRatio.p99Ms;
        broadcastP99.push({
          row: rowName(row),
          value: p99 === null ? 'not measured' : `${p99.toFixed(2)}x`,
          status: passOrMiss(p99 !== null && p99 <= TARGETS.maxBroadcastP99VsFloor),
        });
      }
    }
    if (row.clients === TARGETS.setupAtClients) {
      const setup = runtime.setupPerSecond;
      setupRate.push({
        row: rowName(row),
        value: setup === null ? 'not measured' : `${setup.toFixed(0)}/s`,
        status: passOrMiss(setup !== null && setup >= TARGETS.minSetupPerSecond),
      });
    }
  }
  return [
    verdict(
      'zero-loss',
      `zero loss at ${zeroLossSizes.map((n) => n.toLocaleString('en-US')).join(' and ')} clients`,
      [...zeroLoss, ...unmeasured(zeroLossSizes, rows, skipped)],
    ),
    verdict(
      'delivery-rate',
      `runtime deliveries/s >= ${TARGETS.minDeliveryRateVsFloor}x the floor`,
      deliveryRate,
    ),
    verdict('broadcast-p99', `broadcast p99 <= ${TARGETS.maxBroadcastP99VsFloor}x the floor's`, broadcastP99),
    verdict(
      'setup-rate',
      `connection setup through $connect + DynamoDB >= ${TARGETS.minSetupPerSecond}/s at ${TARGETS.setupAtClients.toLocaleString('en-US')} clients`,
      [...setupRate, ...unmeasured([TARGETS.setupAtClients], rows, skipped)],
    ),
  ];
}
