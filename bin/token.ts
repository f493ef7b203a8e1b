/**
 * `npm run token -- --sub alice --channels 'game-*'`: prints a token for the realtime API's authorizer (see
 * `local/auth/token-cli.ts` and `--help`).
 *
 * @module
 */
import { runTokenCli } from '../local/auth/token-cli.js';

process.exitCode = await runTokenCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
