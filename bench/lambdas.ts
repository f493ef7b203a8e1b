/**
 * `npm run bench:lambdas`: for every route handler, the deployed bundle's size (bytes and gzip bytes) and its
 * module init time (median cold `import` in a fresh Node.js process), next to the same handler built with the
 * AWS SDK left external (`@aws-sdk/*`, as the Lambda runtime would provide it), plus one timed `cdk synth`.
 * Prints a table and then one JSON line. Bounded: a fixed number of runs, each with a timeout.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAMBDA_BUNDLING } from '../lib/bundling.js';
import { handlerEntry, PROJECT_ROOT } from '../lib/paths.js';
import { ROUTES } from '../lib/routes.js';
import { buildBundle, cdkSynthMs, coldImportMs, median } from './lambda-bundles.js';

const IMPORT_RUNS = 5;
const IMPORT_TIMEOUT_MS = 30_000;
const SYNTH_TIMEOUT_MS = 180_000;

/** The deployed options, and the alternative they were chosen over. */
const VARIANTS: ReadonlyArray<{ readonly name: string; readonly bundling: Readonly<BundlingOptions> }> = [
  { name: 'sdk-bundled', bundling: LAMBDA_BUNDLING },
  { name: 'sdk-external', bundling: { ...LAMBDA_BUNDLING, externalModules: ['@aws-sdk/*'] } },
];

interface Row {
  readonly handler: string;
  readonly variant: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMsMedian: number;
  readonly initMsRuns: number[];
}

async function measure(handler: string, variant: (typeof VARIANTS)[number], outRoot: string): Promise<Row> {
  const size = await buildBundle(
    variant.bundling,
    handlerEntry(handler),
    join(outRoot, variant.name, handler),
  );
  const runs: number[] = [];
  for (let run = 0; run < IMPORT_RUNS; run += 1) runs.push(await coldImportMs(size.file, IMPORT_TIMEOUT_MS));
  return {
    handler,
    variant: variant.name,
    bytes: size.bytes,
    gzipBytes: size.gzipBytes,
    initMsMedian: round(median(runs)),
    initMsRuns: runs.map(round),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function printTable(rows: readonly Row[]): void {
  const header = ['handler', 'variant', 'bytes', 'gzip bytes', `init ms (median of ${IMPORT_RUNS})`];
  const lines = rows.map((row) => [
    row.handler,
    row.variant,
    String(row.bytes),
    String(row.gzipBytes),
    row.initMsMedian.toFixed(1),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  // Under the project so the sdk-external bundles resolve @aws-sdk/* from node_modules, as they would from
  // the Lambda runtime's own node_modules.
  const outRoot = mkdtempSync(join(PROJECT_ROOT, 'node_modules', '.cache-bench-lambdas-'));
  const synthDir = mkdtempSync(join(tmpdir(), 'bench-lambdas-synth-'));
  try {
    const rows: Row[] = [];
    for (const { handler } of ROUTES) {
      for (const variant of VARIANTS) rows.push(await measure(handler, variant, outRoot));
    }
    const synthMs = round(await cdkSynthMs(synthDir, SYNTH_TIMEOUT_MS));
    printTable(rows);
    console.log(
      `\ncdk synth -q (${ROUTES.length} route functions and the reaper bundled, cdk-nag on): ${synthMs.toFixed(0)} ms`,
    );
    console.log(
      JSON.stringify({
        bench: 'lambdas',
        node: process.version,
        importRuns: IMPORT_RUNS,
        cdkSynthMs: synthMs,
        rows,
      }),
    );
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
    rmSync(synthDir, { recursive: true, force: true });
  }
}

await main();
