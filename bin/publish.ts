/**
 * `npm run publish -- (--channel NAME | --user ID) --data JSON [--function-name NAME] [--region R] [--local]
 * [--endpoint URL]`: invokes the stack's publisher function. See `bin/publish-cli.ts` and `--help`.
 *
 * @module
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { runPublish } from './publish-cli.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runPublish(
  process.argv.slice(2),
  process.env,
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  (options) =>
    new LambdaClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined
        ? {}
        : {
            endpoint: options.endpoint,
            // The offline runtime accepts any credentials; these keep the SDK from looking for real ones.
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            maxAttempts: 1,
          }),
    }),
);
