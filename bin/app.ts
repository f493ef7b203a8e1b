/**
 * The CDK app (`cdk.json` runs it as `node --import tsx bin/app.ts`). Reads the `stage`, `removalPolicy` and
 * `cloudWatchRole` context, builds the stack and runs the AwsSolutions cdk-nag checks on every synth, so an
 * unacknowledged finding fails `cdk synth`, `cdk deploy` and `npm start` alike (measured: ~0.5 s of a 7-9 s
 * synth).
 * Writes to `CDK_OUTDIR` when set, like any CDK app, and applies the context the CLI would when run without
 * it, so `CDK_OUTDIR=<dir> node --import tsx bin/app.ts` synthesizes exactly what `cdk synth` does.
 *
 * @module
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from '../lib/app-context.js';
import { cliEquivalentContext } from '../lib/cli-context.js';
import { RealtimeStack } from '../lib/realtime-stack.js';

// What the CLI would pass (cdk.json's feature flags, asset metadata) even when run without it; the CLI's own
// context, -c values included, still takes precedence.
const app = new App({ context: cliEquivalentContext() });
const { stackId, stageName, removalPolicy, cloudWatchRole } = readAppSettings(app.node);
new RealtimeStack(app, stackId, {
  description: `Real-time WebSocket API (API Gateway + Lambda + DynamoDB), stage ${stageName}`,
  stageName,
  removalPolicy,
  cloudWatchRole,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
