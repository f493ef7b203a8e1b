/**
 * `npm run bench:auth`: the auth matrix (`bench/auth/matrix.ts`) against the offline runtime serving the
 * product stack with auth on: synthesizes it (unless `--cdk-out DIR`), starts the runtime on free ports with a
 * temporary state directory, prints the table and the totals. Exits 1 on any mismatch, 2 when it cannot run
 * or takes longer than its bound.
 *
 * @example
 * npm run bench:auth -- --cdk-out cdk.out
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRuntime } from '../local/runtime.js';
import { keptSecrets } from '../local/secrets/vault.js';
import { formatMatrix, runAuthMatrix } from './auth/matrix.js';
import { synthesize } from './realtime/runtime-target.js';

/** The whole run (synthesis included) is bounded. */
const DEADLINE_MS = 240_000;

const log = (line: string): void => {
  process.stderr.write(`[bench:auth] ${line}\n`);
};

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'cdk-out': { type: 'string' } }, strict: true });
  const scratch = await mkdtemp(join(tmpdir(), 'realtime-auth-matrix-'));
  try {
    let cdkOut = values['cdk-out'];
    if (cdkOut === undefined) {
      cdkOut = join(scratch, 'cdk.out');
      log(`synthesizing the stack into ${cdkOut}`);
      await synthesize(cdkOut);
    }
    const stateDir = join(scratch, 'state');
    const runtime = await startRuntime({ cdkOut, port: 0, stateDir });
    try {
      const api = runtime.apis[0];
      const [secret] = (await keptSecrets(stateDir)).values();
      if (api?.devToken === undefined || secret === undefined) {
        log('the API has no HMAC authorizer over a generated secret: is auth off (-c auth=false)?');
        return 2;
      }
      log(`runtime: ${api.url}`);
      const started = performance.now();
      const rows = await runAuthMatrix(api, secret);
      process.stdout.write(
        `${formatMatrix(rows)} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
      return rows.every((row) => row.expected === row.got) ? 0 : 1;
    } finally {
      await runtime.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  log(`did not finish within ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
