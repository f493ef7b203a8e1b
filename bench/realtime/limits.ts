/**
 * Whether the next fleet size fits on this machine before it runs: enough file descriptors for both ends of
 * every connection (clients and servers share this process), enough free memory for the growth the previous
 * size showed, and enough of the run's time budget at the pace the previous size took. A size that does not
 * fit is skipped with the limit that stopped it, which the report prints beside the targets.
 *
 * @module
 */

/** Descriptors kept free for everything but the connections (listeners, keep-alive pools, dynalite, pipes). */
export const FD_MARGIN = 512;

/** What one measured fleet size cost, for estimating the next. */
export interface FleetCost {
  readonly clients: number;
  /** Wall time of every scenario × server at this size, without the pauses that do not depend on it. */
  readonly scalableMs: number;
  /** Pauses that do not depend on the fleet size (the wait for a throttling bucket to refill). */
  readonly fixedMs: number;
  /** How much resident memory (this process + children) grew from the start of this size to its peak, in MB. */
  readonly memoryGrowthMb: number;
}

/** What is known before a fleet size starts. */
export interface FleetFacts {
  readonly clients: number;
  /** Soft limit on open files (`ulimit -n`); `undefined` when unknown. */
  readonly openFileLimit: number | undefined;
  /** Descriptors open now. */
  readonly openFiles: number;
  /** Free memory now (`os.freemem()`), in MB. */
  readonly freeMemMb: number;
  /** Time spent so far in this run, and the whole run's budget, in ms. */
  readonly elapsedMs: number;
  readonly budgetMs: number;
  /** The largest fleet measured so far; `undefined` before the first. */
  readonly previous: FleetCost | undefined;
}

/** Descriptors a fleet of `clients` needs in this process: one per client socket and one per server socket. */
export function descriptorsNeeded(clients: number): number {
  return 2 * clients;
}

/**
 * The limit that stops a fleet size, as a sentence for the report, or `undefined` when it fits. Estimates
 * scale the previous size's cost linearly with the number of clients (every phase is per client), except its
 * fixed pauses.
 *
 * @example
 * fleetLimit({ clients: 5000, openFileLimit: 4096, openFiles: 40, … }) // 'file descriptors: needs ~10,552, ulimit -n is 4,096'
 */
export function fleetLimit(facts: FleetFacts): string | undefined {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const needed = descriptorsNeeded(facts.clients) + facts.openFiles + FD_MARGIN;
  if (facts.openFileLimit !== undefined && needed > facts.openFileLimit) {
    return `file descriptors: needs ~${fmt(needed)}, ulimit -n is ${fmt(facts.openFileLimit)}`;
  }
  const previous = facts.previous;
  if (previous === undefined || previous.clients <= 0) return undefined;
  const scale = facts.clients / previous.clients;
  const memoryNeeded = Math.max(0, previous.memoryGrowthMb) * scale;
  if (memoryNeeded > facts.freeMemMb) {
    return `memory: ~${fmt(memoryNeeded)} MB more estimated from N=${previous.clients}, ${fmt(facts.freeMemMb)} MB free`;
  }
  const timeNeeded = previous.scalableMs * scale + previous.fixedMs;
  if (facts.elapsedMs + timeNeeded > facts.budgetMs) {
    const took = (previous.scalableMs + previous.fixedMs) / 1000;
    return `time: ~${fmt(timeNeeded / 1000)} s estimated from N=${previous.clients} (${fmt(took)} s), ${fmt(Math.max(0, facts.budgetMs - facts.elapsedMs) / 1000)} s of the ${fmt(facts.budgetMs / 1000)} s budget left`;
  }
  return undefined;
}

/** What happened to one fleet size of the run: measured (with what it cost) or skipped (with why). */
export type FleetRecord =
  | {
      readonly clients: number;
      readonly skipped?: undefined;
      /** Wall time of every scenario × server at this size. */
      readonly durationMs: number;
      /** The most descriptors open at once, and the soft limit. */
      readonly peakOpenFiles: number;
      readonly openFileLimit: number | undefined;
      /** The most resident memory of this process, and of the Lambda processes together, in MB. */
      readonly peakRssMb: number;
      readonly peakChildrenRssMb: number;
    }
  | { readonly clients: number; readonly skipped: string };
