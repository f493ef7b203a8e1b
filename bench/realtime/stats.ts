/**
 * Latency percentiles and rates, as pure functions over recorded samples.
 *
 * @module
 */

/**
 * The nearest-rank percentile: the smallest sample such that at least `p` % of the samples are ≤ it, so the
 * result is always a value that was actually measured. `null` when there are no samples.
 *
 * @param sortedAscending samples sorted ascending (not checked)
 * @param p percentile in (0, 100]
 */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sortedAscending.length === 0) return null;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1] ?? null;
}

/** p50 / p99 / max of a set of latencies in ms; `null` fields when nothing was delivered. */
export interface LatencySummary {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Sorts a copy of the samples and reads p50, p99 and the maximum from it. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null };
}

/** Events per second over a wall-clock span; `null` when nothing happened or the span is not positive. */
export function perSecond(count: number, elapsedMs: number): number | null {
  if (count <= 0 || !(elapsedMs > 0)) return null;
  return (count * 1000) / elapsedMs;
}

/** `a / b`, or `null` when either side is missing or `b` is zero (a ratio that would mislead). */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return a / b;
}
