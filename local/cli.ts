/**
 * `npm start` (`tsx local/cli.ts`): serves the synthesized CDK app offline. See `npm start -- --help`.
 *
 * @module
 */
import { runCli } from './cli/main.js';

// The SDK warns about Node 20 on every client; the runtime's own clients are not the user's concern.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  waitForStopSignal: (onAgain) =>
    new Promise((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second signal means "now": skip the orderly shutdown.
        const now = (): void => {
          onAgain();
          process.exit(1);
        };
        process.once('SIGINT', now);
        process.once('SIGTERM', now);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
});
// Lingering keep-alive sockets or timers must not keep a stopped runtime alive.
process.exit(exitCode);
