/**
 * Helpers of `bench/lambdas.ts`: build a handler exactly as the stack does (esbuild options derived from
 * `lib/bundling.ts`, the way NodejsFunction turns its props into esbuild flags), and time a cold `import` of
 * the bundle in a fresh Node.js process.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Format } from 'esbuild';
import { PROJECT_ROOT } from '../lib/paths.js';

const run = promisify(execFile);

/**
 * The BundlingOptions keys this mapping understands. Anything else in `lib/bundling.ts` makes the bench throw
 * rather than silently build something other than what the stack deploys.
 */
const MAPPED_KEYS = new Set([
  'forceDockerBundling',
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'mainFields',
  'externalModules',
  'banner',
  'footer',
  'define',
  'keepNames',
]);

/**
 * esbuild options equivalent to the CLI flags NodejsFunction passes for `bundling` (`--bundle`,
 * `--platform=node`, `--target`, `--format`, `--minify`, `--sourcemap`, `--external:…`, `--banner:js`,
 * `--main-fields`, …), writing `index.mjs` (ESM) or `index.js` into `outdir` like the asset staging does.
 */
export function esbuildOptionsFor(
  bundling: Readonly<BundlingOptions>,
  entry: string,
  outdir: string,
): BuildOptions {
  const unmapped = Object.keys(bundling).filter((key) => !MAPPED_KEYS.has(key));
  if (unmapped.length > 0) throw new Error(`bench: cannot mirror bundling option(s) ${unmapped.join(', ')}`);
  const format = bundling.format as Format | undefined;
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  return {
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format,
    outfile: join(outdir, format === 'esm' ? 'index.mjs' : 'index.js'),
    minify: bundling.minify ?? false,
    sourcemap:
      (bundling.sourceMap ?? bundling.sourceMapMode !== undefined)
        ? sourceMapMode === 'default'
          ? 'linked'
          : sourceMapMode
        : false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...(bundling.externalModules ?? [])],
    mainFields: bundling.mainFields ? [...bundling.mainFields] : undefined,
    banner: bundling.banner ? { js: bundling.banner } : undefined,
    footer: bundling.footer ? { js: bundling.footer } : undefined,
    define: bundling.define ? { ...bundling.define } : undefined,
    keepNames: bundling.keepNames ?? false,
    logLevel: 'warning',
  };
}

/** Size of one built bundle. */
export interface BundleSize {
  /** Absolute path of the bundle's entry file (`index.mjs`). */
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds one handler into `outdir` and measures the bundle (the code file, not its source map). */
export async function buildBundle(
  bundling: Readonly<BundlingOptions>,
  entry: string,
  outdir: string,
): Promise<BundleSize> {
  mkdirSync(outdir, { recursive: true });
  const options = esbuildOptionsFor(bundling, entry, outdir);
  await build(options);
  const file = String(options.outfile);
  const code = readFileSync(file);
  return { file, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength };
}

/** The environment a handler sees at init on Lambda, with dummy values (no AWS call happens at import). */
export const DUMMY_LAMBDA_ENV: Readonly<Record<string, string>> = Object.freeze({
  TABLE_NAME: 'bench-table',
  CALLBACK_URL: 'https://bench.execute-api.us-east-1.amazonaws.com/prod',
  AWS_REGION: 'us-east-1',
  // Lambda puts the execution role's credentials here; the SDK clients read them at their first call.
  AWS_ACCESS_KEY_ID: 'ASIABENCHEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_SESSION_TOKEN: 'bench-session-token',
  FANOUT_CONCURRENCY: '32',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // The stack sets it, and it makes Node read the source map at load time: part of the real init cost.
  NODE_OPTIONS: '--enable-source-maps',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/**
 * Milliseconds a cold `import()` of `file` takes in a fresh `node` process (module load and top-level code,
 * not process start-up). Killed after `timeoutMs`.
 */
export async function coldImportMs(file: string, timeoutMs: number): Promise<number> {
  const url = pathToFileURL(file).href;
  const code = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...DUMMY_LAMBDA_ENV },
    timeout: timeoutMs,
  });
  const ms = Number.parseFloat(stdout.trim().split('\n').at(-1) ?? '');
  if (!Number.isFinite(ms)) throw new Error(`bench: no timing from importing ${file}: ${stdout}`);
  return ms;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Wall-clock milliseconds of one `npx cdk synth -q -o <outdir>` (bundling included). */
export async function cdkSynthMs(outdir: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await run('npx', ['cdk', 'synth', '-q', '-o', outdir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return performance.now() - started;
}
