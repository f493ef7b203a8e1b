/**
 * Integration suite setup: synthesizes the product app, the echo fixture app and the queue fixture app once,
 * concurrently, into temporary cloud assemblies that every test file reads with `inject('productAssembly')` /
 * `inject('fixtureAssembly')` / `inject('queueAssembly')`; removes them afterwards.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { synthFixture } from '../fixtures/echo-app/synth.js';
import { synthQueueFixture } from '../fixtures/queue-app/synth.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Cloud assembly of the product app (`bin/app.ts`). */
    productAssembly: string;
    /** Cloud assembly of the echo fixture app (`test/fixtures/echo-app`). */
    fixtureAssembly: string;
    /** Cloud assembly of the queue fixture app (`test/fixtures/queue-app`). */
    queueAssembly: string;
  }
}

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Loading aws-cdk-lib dominates a synth (~7 s here); two run at once on 2 cores. */
const SYNTH_TIMEOUT_MS = 180_000;

/** Runs the product app the way `cdk synth` would, writing its assembly to `outDir`. */
async function synthProduct(outDir: string): Promise<void> {
  try {
    await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: repoRoot,
      timeout: SYNTH_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CDK_OUTDIR: outDir },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`Synthesizing the product app failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}

/** Synthesizes the three apps and provides their directories; the returned teardown removes them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const productDir = await mkdtemp(join(tmpdir(), 'realtime-product-'));
  const fixtureDir = await mkdtemp(join(tmpdir(), 'realtime-fixture-'));
  const queueDir = await mkdtemp(join(tmpdir(), 'realtime-queue-fixture-'));
  const teardown = async (): Promise<void> => {
    await Promise.all(
      [productDir, fixtureDir, queueDir].map((dir) => rm(dir, { recursive: true, force: true })),
    );
  };
  try {
    await Promise.all([synthProduct(productDir), synthFixture(fixtureDir), synthQueueFixture(queueDir)]);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('productAssembly', productDir);
  project.provide('fixtureAssembly', fixtureDir);
  project.provide('queueAssembly', queueDir);
  return teardown;
}
