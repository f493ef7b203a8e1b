import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEquivalentContext } from '../../lib/cli-context.js';

const dir = mkdtempSync(join(tmpdir(), 'realtime-cli-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cliEquivalentContext', () => {
  it("includes the project's cdk.json feature flags", () => {
    expect(cliEquivalentContext()).toMatchObject({
      '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
      '@aws-cdk/aws-iam:minimizePolicies': true,
    });
  });

  it('turns on the path and asset metadata the offline runtime reads, as the CLI does', () => {
    expect(cliEquivalentContext()).toMatchObject({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
    });
  });

  it('disables version reporting when cdk.json says versionReporting: false', () => {
    const file = join(dir, 'no-reporting.json');
    writeFileSync(file, JSON.stringify({ versionReporting: false, context: { flag: 1 } }));
    expect(cliEquivalentContext(file)).toEqual({
      flag: 1,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
    });
  });

  it('has only the CLI switches when there is no cdk.json', () => {
    expect(cliEquivalentContext(join(dir, 'missing.json'))).toEqual({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': false,
    });
  });
});
