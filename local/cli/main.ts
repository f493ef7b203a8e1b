/**
 * `npm start`: parse the command line, synthesize (unless `--cdk-out`), start the runtime, print where it is,
 * log each invocation, and shut down cleanly on Ctrl-C / SIGTERM.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { type RunningRuntime, startRuntime } from '../runtime.js';
import { formatBanner } from './banner.js';
import { oneLine } from './errors.js';
import { createInvocationFormatter, formatFunctionLog } from './invocation-line.js';
import { type CliOptions, parseCliOptions, USAGE } from './options.js';
import { synthesizeProject } from './synth.js';

/** Where the CLI writes, and what it reads; tests and `cli.ts` pass the real process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves with the name of the first SIGINT/SIGTERM; `onAgain` runs on a second one. */
  readonly waitForStopSignal: (onAgain: () => void) => Promise<string>;
}

/** The repository root: where `cdk.json` is, and where `cdk.out` is synthesized. */
const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs the CLI and resolves with the process exit code: 0 after a clean shutdown (or `--help`), 1 after a
 * configuration problem, reported as one line on stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliOptions(argv, io.env);
  } catch (error) {
    io.stderr(`Error: ${oneLine(error, false)}\n`);
    return 1;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  let manyApis = false;
  const formatInvocation = createInvocationFormatter(() => manyApis);
  let runtime: RunningRuntime;
  try {
    let cdkOut = options.cdkOut;
    if (cdkOut === undefined) {
      io.stdout('Synthesizing the CDK app (npx cdk synth -q)…\n');
      cdkOut = await synthesizeProject(PROJECT_DIR, (output) => io.stderr(output));
    }
    runtime = await startRuntime({
      cdkOut,
      port: options.port,
      servicesPort: options.servicesPort,
      dynamodb: options.dynamodb,
      ...(options.ttlSweepIntervalMs !== undefined && { ttlSweepIntervalMs: options.ttlSweepIntervalMs }),
      ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.maxConnectionMs !== undefined && { maxConnectionMs: options.maxConnectionMs }),
      ...(options.functionConcurrency !== undefined && { functionConcurrency: options.functionConcurrency }),
      ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
      onInvocation: (log) => io.stdout(`${formatInvocation(log)}\n`),
      onWarning: (message) => io.stderr(`Warning: ${message}\n`),
      ...(options.demoPort !== undefined && { demo: { port: options.demoPort } }),
      ...(options.verbose && {
        onFunctionLog: ({ functionId, line }) => io.stdout(`${formatFunctionLog(functionId, line)}\n`),
      }),
    });
  } catch (error) {
    reportFailure(io, error, options.verbose);
    return 1;
  }
  manyApis = runtime.apis.length > 1;
  io.stdout(
    formatBanner(runtime, {
      ...(options.dynamodb.persistDir !== undefined && { persistDir: options.dynamodb.persistDir }),
    }),
  );

  const signal = await io.waitForStopSignal(() => {
    io.stderr('Stopping now, without waiting for $disconnect.\n');
  });
  io.stdout(`\n${signal}: closing connections (1001) and running $disconnect…\n`);
  try {
    await runtime.close();
  } catch (error) {
    reportFailure(io, error, options.verbose);
    return 1;
  }
  io.stdout('Stopped.\n');
  return 0;
}

function reportFailure(io: CliIo, error: unknown, verbose: boolean): void {
  io.stderr(`Error: ${oneLine(error, verbose)}\n`);
  if (verbose && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
}
