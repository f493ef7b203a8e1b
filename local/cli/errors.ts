/**
 * The CLI's error: a configuration problem that is reported as one line (what is wrong, how to fix it) and
 * exit code 1, never as a stack trace.
 *
 * @module
 */

/** Bad command-line input or a failed step the user can fix; `message` is the whole report. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Error names whose message is already a one-line, user-facing report. */
const USER_FACING = new Set([
  'CliError',
  'AssemblyError',
  'ResolveError',
  'PortInUseError',
  'DynamoEngineError',
  'NoWebSocketApiError',
]);

/**
 * The single line printed for a failure: the message of a known, user-facing error as is; for anything else
 * its first line plus where to look, so even a bug never dumps a stack trace unasked.
 */
export function oneLine(error: unknown, verbose: boolean): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
  if (USER_FACING.has(name)) return message;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return `${message}: another process uses that port; pick another with --port <n> (--port 0 picks a free one)`;
  }
  return verbose ? `${name}: ${message}` : `${name}: ${message} (run with --verbose for details)`;
}
