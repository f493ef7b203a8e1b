import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/lambda-bundles.js';
import { ESM_REQUIRE_BANNER, LAMBDA_BUNDLING } from '../../lib/bundling.js';
import { handlerEntry, PROJECT_ROOT } from '../../lib/paths.js';
import { ROUTES } from '../../lib/routes.js';

const run = promisify(execFile);

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/**
 * The one test that bundles for real: runs the app the way other tooling does
 * (`CDK_OUTDIR=<dir> node --import tsx bin/app.ts`), with `stage=dev` given as CLI context.
 */
describe('bin/app.ts', () => {
  let outdir = '';
  let resources: Record<string, TemplateResource> = {};

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'realtime-app-synth-'));
    await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'dev' }) },
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const template = JSON.parse(readFileSync(join(outdir, 'RealtimeWebSocketApi-dev.template.json'), 'utf8'));
    resources = template.Resources;
  }, 180_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('stage: writes the stack RealtimeWebSocketApi-dev to CDK_OUTDIR, destroyed with the stack', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toContain('RealtimeWebSocketApi-dev');
    const stage = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties?.StageName).toBe('dev');
    const table = Object.values(resources).find((resource) => resource.Type === 'AWS::DynamoDB::GlobalTable');
    expect(table?.DeletionPolicy).toBe('Delete');
  });

  it('bundling: every function asset is an ESM index.mjs exporting handler, with the createRequire banner and a source map', () => {
    // The API's own functions (CDK's BucketDeployment of the dev stage's demo site brings a Python one).
    const functions = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        String(resource.Metadata?.['aws:cdk:path']).includes('/RealtimeApi/'),
    );
    const paths = functions.map((fn) => String(fn.Metadata?.['aws:cdk:path']));
    for (const route of ROUTES) {
      expect(
        paths.filter((path) => path.endsWith(`/RealtimeApi/${route.id}/Function/Resource`)),
      ).toHaveLength(1);
    }
    for (const fn of functions) {
      const assetPath = fn.Metadata?.['aws:asset:path'];
      expect(typeof assetPath).toBe('string');
      const bundle = join(outdir, String(assetPath), 'index.mjs');
      const code = readFileSync(bundle, 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
    }
  });

  it('bench: builds byte-identical bundles from the same options (bench/lambdas.ts measures what ships)', async () => {
    for (const route of ROUTES) {
      const fn = Object.values(resources).find(
        (resource) =>
          resource.Type === 'AWS::Lambda::Function' &&
          String(resource.Metadata?.['aws:cdk:path']).endsWith(`/${route.id}/Function/Resource`),
      );
      const shipped = readFileSync(join(outdir, String(fn?.Metadata?.['aws:asset:path']), 'index.mjs'));
      const benched = await buildBundle(
        LAMBDA_BUNDLING,
        handlerEntry(route.handler),
        join(outdir, 'bench', route.handler),
      );
      expect(readFileSync(benched.file).equals(shipped), route.handler).toBe(true);
    }
  }, 60_000);

  it('cdk-nag: runs during synth and reports no violation', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });
});
