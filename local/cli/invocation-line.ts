/**
 * One line per Lambda invocation, like `sam local`: time, route, connection, function, duration, outcome.
 *
 * @module
 */
import type { InvocationLog } from '../model.js';

/** Formats invocation lines whose columns widen to the longest route and function seen so far. */
export type InvocationFormatter = (log: InvocationLog, at?: Date) => string;

/**
 * Creates a formatter for lines like
 * `10:15:02.123  subscribe    Xy1abcDEFgh=  SubscribeFn1A2B3C  12 ms  200`.
 *
 * @param withApi prefix the route with the API name (when more than one API is served).
 */
export function createInvocationFormatter(withApi: () => boolean): InvocationFormatter {
  let routeWidth = 12;
  let functionWidth = 16;
  return (log, at = new Date()) => {
    const route = withApi() ? `${log.api} ${log.routeKey}` : log.routeKey;
    routeWidth = Math.max(routeWidth, route.length);
    functionWidth = Math.max(functionWidth, log.functionId.length);
    return [
      localTime(at),
      route.padEnd(routeWidth),
      log.connectionId.padEnd(16),
      log.functionId.padEnd(functionWidth),
      `${Math.round(log.durationMs)} ms`.padStart(7),
      log.outcome,
    ].join('  ');
  };
}

/** Prefixes a function's log line with the function, so interleaved output stays readable. */
export function formatFunctionLog(functionId: string, line: string): string {
  return `  [${functionId}] ${line}`;
}

/** `HH:MM:SS.mmm` in local time, as a developer's terminal clock shows it. */
function localTime(at: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}
