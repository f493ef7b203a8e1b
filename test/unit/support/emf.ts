/**
 * What tests of the metrics read: one EMF line as Powertools Metrics writes it, captured from the console
 * (with `POWERTOOLS_DEV` set Powertools writes through the global console; `POWERTOOLS_METRICS_DISABLED=false`
 * turns the metrics on).
 *
 * @module
 */
import { vi } from 'vitest';

/** One EMF line (only the fields the tests read); each metric and dimension is also a top-level key. */
export interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** Captures `console.log` from now on; the returned function parses what was written as EMF lines. */
export const captureEmf = (): (() => EmfLine[]) => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  return () => log.mock.calls.map((call) => JSON.parse(String(call[0])) as EmfLine);
};
