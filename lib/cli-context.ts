/**
 * The context the CDK CLI would give the app, for when the app runs without it. The CLI reads `cdk.json` and
 * hands the app its `context` (feature flags) plus a few switches of its own through `CDK_CONTEXT_JSON`.
 * Tools that run `node --import tsx bin/app.ts` directly (the offline runtime, tests) would otherwise get a
 * different template from the one `cdk deploy` ships: every feature flag unset, and no `aws:asset:path`
 * metadata telling them where each function's bundle is.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/** The shape of `cdk.json` this module reads. */
interface CdkJson {
  readonly context?: Record<string, unknown>;
  readonly versionReporting?: boolean;
}

/**
 * `cdk.json`'s `context` plus the CLI's own switches (path and asset metadata on, version reporting as
 * `cdk.json` says). Pass it as the App's `context`: CDK applies it first, so the CLI's context (`-c key=value`,
 * `CDK_CONTEXT_JSON`) still takes precedence when the CLI does run the app.
 */
export function cliEquivalentContext(
  cdkJsonFile: string = join(PROJECT_ROOT, 'cdk.json'),
): Record<string, unknown> {
  const cdkJson = readCdkJson(cdkJsonFile);
  return {
    ...cdkJson.context,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:disable-version-reporting': cdkJson.versionReporting === false,
  };
}

function readCdkJson(file: string): CdkJson {
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { context, versionReporting } = parsed as Record<string, unknown>;
  return {
    context: typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {},
    versionReporting: typeof versionReporting === 'boolean' ? versionReporting : undefined,
  };
}
