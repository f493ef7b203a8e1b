/**
 * What the scenarios need from a server under test, whichever it is.
 *
 * @module
 */
import type { ServerKind } from './options.js';

/** A server under test: the offline runtime, the plain `ws` baseline or the floor. */
export interface BenchTarget {
  readonly kind: ServerKind;
  /** The WebSocket URL clients connect to. */
  readonly url: string;
  /**
   * Connections the server still considers open. After a fleet closes, the scenario waits for this to reach
   * zero so the next fleet never pays for the previous one's `$disconnect` work.
   */
  openConnections(): number;
  /**
   * How many requests of a route the server has finished so far (for the runtime: Lambda invocations logged;
   * for the floor: fan-outs its relay threads finished), so a scenario can wait until the work its requests
   * started is over before the next one begins. Absent when the server answers synchronously, as the baseline
   * does.
   */
  completedRequests?(routeKey: string): number;
  /**
   * How long the server's request throttling takes to refill from empty (the stage's `burstLimit ÷ rateLimit`),
   * in ms; a scenario waits this long before opening its fleet, so every fleet starts with a full burst, as
   * after a quiet spell. Absent when the server does not throttle.
   */
  readonly refillMs?: number;
  /** Server-side counters worth printing with the figures (e.g. Lambda invocations by route and outcome). */
  diagnostics?(): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * How long a stage's token bucket takes to refill from empty, in ms: `burstLimit ÷ rateLimit`, with the
 * runtime's own fallback when only the rate is set (burst = the rate, at least 1). 0 without a finite positive
 * rate.
 *
 * @example
 * refillMsOf({ rateLimit: 500, burstLimit: 1000 }); // 2000
 */
export function refillMsOf(
  throttle: { readonly rateLimit?: number; readonly burstLimit?: number } | undefined,
): number {
  const rate = throttle?.rateLimit;
  if (rate === undefined || !(rate > 0) || !Number.isFinite(rate)) return 0;
  const burst = throttle?.burstLimit ?? Math.max(1, Math.ceil(rate));
  return Math.ceil((burst / rate) * 1000);
}
