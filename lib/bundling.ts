/**
 * The one place that says how a handler becomes a Lambda bundle. The stack passes {@link LAMBDA_BUNDLING} to
 * every NodejsFunction and `bench/lambdas.ts` derives its esbuild options from the same object, so the
 * benchmark measures exactly what gets deployed.
 *
 * @module
 */
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Gives an ESM bundle a CommonJS `require`. The AWS SDK's CommonJS dependencies call `require('node:https')`
 * and friends; esbuild turns those into a shim that throws "Dynamic require of … is not supported" in ESM
 * unless a real `require` is in scope.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** esbuild target for the `nodejs24.x` runtime. */
export const BUNDLE_TARGET = 'node24';

/**
 * Bundling options shared by every route function: local esbuild (never Docker), minified ESM with source
 * maps, and the AWS SDK bundled in (`externalModules: []`) rather than taken from the runtime, so the code
 * runs against the SDK version it was tested with and tree-shaking keeps only the clients it uses.
 */
export const LAMBDA_BUNDLING: Readonly<BundlingOptions> = Object.freeze({
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: BUNDLE_TARGET,
  minify: true,
  sourceMap: true,
  // Stack traces only need the mappings; the sources would double the asset for nothing.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: [],
  banner: ESM_REQUIRE_BANNER,
});
