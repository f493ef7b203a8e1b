/**
 * Synthesizes the project's CDK app into `cdk.out` before serving it, quietly: its output is shown only when
 * it fails.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CliError } from './errors.js';

/** Synthesis loads aws-cdk-lib and bundles every function: ~7 s here; this only guards against a hang. */
const SYNTH_TIMEOUT_MS = 300_000;

/**
 * Runs `npx --no-install cdk synth -q` in `projectDir` (cdk.json says how to run the app) and returns the
 * assembly directory, `<projectDir>/cdk.out`.
 *
 * @param onFailureOutput receives everything synth printed, only when it fails.
 * @throws CliError when synth fails or cannot start.
 */
export async function synthesizeProject(
  projectDir: string,
  onFailureOutput: (output: string) => void,
): Promise<string> {
  const outDir = join(projectDir, 'cdk.out');
  const chunks: Buffer[] = [];
  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const child = spawn('npx', ['--no-install', 'cdk', 'synth', '-q', '-o', outDir], {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: SYNTH_TIMEOUT_MS,
    });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  if (exit.error !== undefined) {
    throw new CliError(
      `Could not run 'npx cdk synth' in ${projectDir} (${exit.error.message}): install the dependencies with npm install, or pass --cdk-out DIR`,
    );
  }
  if (exit.code !== 0) {
    onFailureOutput(Buffer.concat(chunks).toString('utf8'));
    throw new CliError(
      `'npx cdk synth -q' failed (exit code ${exit.code ?? 'none'}): fix the app (its output is above), or pass --cdk-out DIR to serve an existing assembly`,
    );
  }
  return outDir;
}
