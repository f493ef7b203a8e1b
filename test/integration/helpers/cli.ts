/**
 * Runs the offline runtime's command line (`local/cli.ts`, what `npm start` runs) as a child process and reads
 * its output, for the integration tests of the CLI.
 *
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Bound on one CLI run; start-up takes ~1–2 s here. */
const RUN_TIMEOUT_MS = 30_000;

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The warnings the runtime prints once per declared Node.js runtime that differs from the host's (the fixture
 * declares the newest one; this host may run another), and nothing else.
 */
export function hostRuntimeWarnings(stderr: string): string {
  return stderr
    .split(/(?<=\n)/)
    .filter((line) => /^Warning: functions declare nodejs\d+\.x but this host runs Node\.js /.test(line))
    .join('');
}

/** Spawns `local/cli.ts` the way `npm start` does (tsx), from the repository root. */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], { cwd: repoRoot, env });
}

/** Spawns `bin/token.ts` the way `npm run token` does (tsx), from the repository root. */
export function spawnToken(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'bin/token.ts', ...args], { cwd: repoRoot });
}

/** Collects a CLI's output until it exits (killed after {@link RUN_TIMEOUT_MS}). */
export function exitOf(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves with the first stdout match of `pattern` (rejects if the CLI exits or the deadline passes first). */
export function waitForOutput(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${RUN_TIMEOUT_MS} ms: ${seen}`)),
      RUN_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    let errors = '';
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once('close', (code) =>
      reject(new Error(`the CLI exited (${code}) before printing ${pattern}: ${seen}${errors}`)),
    );
  });
}
