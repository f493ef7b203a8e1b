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
  /** Server-side counters worth printing with the figures (e.g. Lambda invocations by route and outcome). */
  diagnostics?(): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}
