/**
 * The CDK app (`cdk.json` runs it as `node --import tsx bin/app.ts`). Reads the `stage`, `removalPolicy`,
 * `cloudWatchRole`, `demo` and `alarmEmail` context, builds the stack and runs the AwsSolutions cdk-nag checks on every synth, so an
 * unacknowledged finding fails `cdk synth`, `cdk deploy` and `npm start` alike (measured: ~0.5 s of a 7-9 s
 * synth).
 * Writes to `CDK_OUTDIR` when set, like any CDK app, and applies the context the CLI would when run without
 * it, so `CDK_OUTDIR=<dir> node --import tsx bin/app.ts` synthesizes exactly what `cdk synth` does.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from '../lib/app-context.js';
import { cliEquivalentContext } from '../lib/cli-context.js';
import { RealtimeStack } from '../lib/realtime-stack.js';
import { buildDemoToDirectory } from '../web/build.js';

// What the CLI would pass (cdk.json's feature flags, asset metadata) even when run without it; the CLI's own
// context, -c values included, still takes precedence.
const app = new App({ context: cliEquivalentContext() });
const { stackId, stageName, removalPolicy, cloudWatchRole, demo, auth, publicChannels, alarmEmail } =
  readAppSettings(app.node);
// The demo page is bundled into a scratch directory that the synth copies into the assembly as an asset.
const demoSource = demo ? await mkdtemp(join(tmpdir(), 'realtime-demo-')) : undefined;
try {
  if (demoSource !== undefined) await buildDemoToDirectory(demoSource);
  new RealtimeStack(app, stackId, {
    description: `Real-time WebSocket API (API Gateway + Lambda + DynamoDB), stage ${stageName}`,
    stageName,
    removalPolicy,
    cloudWatchRole,
    // auth=true keeps the construct's default (hmac with a generated secret).
    ...(auth ? {} : { auth: false }),
    publicChannels,
    ...(demoSource === undefined ? {} : { demoSource }),
    ...(alarmEmail === undefined ? {} : { observability: { alarmEmail } }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} finally {
  if (demoSource !== undefined) await rm(demoSource, { recursive: true, force: true });
}
