/**
 * The `npm start` command line: parsing, defaults and validation, in one place.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO_PORT, DEFAULT_PORT, DEFAULT_SERVICES_PORT, type RuntimeOptions } from '../runtime.js';
import { CliError } from './errors.js';

/** What the command line asks for. */
export interface CliOptions {
  readonly help: boolean;
  readonly verbose: boolean;
  /** The assembly to serve; undefined = synthesize the project into `cdk.out` first. */
  readonly cdkOut: string | undefined;
  readonly port: number;
  readonly dynamodb: NonNullable<RuntimeOptions['dynamodb']>;
  readonly ttlSweepIntervalMs: number | undefined;
  readonly idleTimeoutMs: number | undefined;
  readonly maxConnectionMs: number | undefined;
  readonly functionConcurrency: number | undefined;
  /** Port of the demo page; undefined = no demo page (`--no-demo`). */
  readonly demoPort: number | undefined;
  /** Port of the services endpoint (SQS, Secrets Manager, Lambda Invoke). */
  readonly servicesPort: number;
  /** Where generated secrets are kept; undefined = the runtime's default (`.realtime-local`). */
  readonly stateDir: string | undefined;
}

/** `--help` text. */
export const USAGE = `Usage: npm start -- [options]   (or: npx tsx local/cli.ts [options])

Serves a synthesized CDK app offline: its WebSocket APIs, Lambda functions and DynamoDB tables.

Options:
  --port N                     port of the first WebSocket API, the next ones get N+1, N+2… (env PORT;
                               default ${DEFAULT_PORT}; 0 picks free ports)
  --cdk-out DIR                serve this existing cloud assembly (of any CDK app) instead of running
                               'npx cdk synth -q' into cdk.out first
  --dynamodb dynalite|local    dynalite (default, in process) or AWS's DynamoDB Local (needs Java 17)
  --dynamodb-endpoint URL      use a DynamoDB that is already running, e.g. http://127.0.0.1:8000
  --persist DIR                keep the tables on disk in DIR (default: in memory)
  --state-dir DIR              keep generated secrets (the dev token's signing key) in DIR
                               (default .realtime-local in the working directory)
  --ttl-sweep-interval SECONDS how often expired items (TTL) are deleted (default 30)
  --idle-timeout SECONDS       close connections idle this long (default 600, like API Gateway)
  --max-connection SECONDS     close connections this long after they opened (default 7200, like API Gateway)
  --concurrency N              most concurrent workers per function; more invocations queue
                               (default: the number of cores, at least 2)
  --demo-port N                port of the demo page (default ${DEFAULT_DEMO_PORT}; 0 picks a free one; with --port 0, 0)
  --no-demo                    do not serve the demo page
  --services-port N            port of the emulated AWS services (Lambda Invoke, SQS, Secrets Manager) that
                               npm run publish -- --local uses (default ${DEFAULT_SERVICES_PORT}; with --port 0, 0)
  --verbose                    show function logs, prefixed by function
  -h, --help                   show this help
`;

/**
 * Parses `argv` (without `node` and the script) and the environment into {@link CliOptions}.
 *
 * @throws CliError naming the bad option and value.
 */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    // Node's parseArgs messages go on about positionals after '--'; the first sentence is the point.
    const first = (error as Error).message.split(/\.\s|\n/)[0]?.replace(/\.$/, '') ?? 'Bad arguments';
    throw new CliError(`${first}. Run with --help for the options.`);
  }
  const endpoint = values['dynamodb-endpoint'];
  const engine = values.dynamodb;
  if (engine !== undefined && engine !== 'dynalite' && engine !== 'local') {
    throw new CliError(`--dynamodb must be dynalite or local, got "${engine}"`);
  }
  if (endpoint !== undefined && engine !== undefined) {
    throw new CliError(
      `--dynamodb ${engine} and --dynamodb-endpoint ${endpoint} conflict: pass one (the endpoint is used as is)`,
    );
  }
  if (endpoint !== undefined && values.persist !== undefined) {
    throw new CliError(
      `--persist ${values.persist} has no effect with --dynamodb-endpoint ${endpoint}: that DynamoDB keeps its own data`,
    );
  }
  if (values['no-demo'] === true && values['demo-port'] !== undefined) {
    throw new CliError(`--no-demo and --demo-port ${values['demo-port']} conflict: pass one`);
  }
  const port = parsePort(values.port ?? env.PORT, '--port (or PORT)');
  return {
    help: values.help ?? false,
    verbose: values.verbose ?? false,
    cdkOut: values['cdk-out'],
    port,
    demoPort:
      values['no-demo'] === true
        ? undefined
        : values['demo-port'] !== undefined
          ? parsePort(values['demo-port'], '--demo-port')
          : port === 0
            ? 0
            : DEFAULT_DEMO_PORT,
    servicesPort:
      values['services-port'] !== undefined
        ? parsePort(values['services-port'], '--services-port')
        : port === 0
          ? 0
          : DEFAULT_SERVICES_PORT,
    dynamodb:
      endpoint !== undefined
        ? { engine: 'external', endpoint }
        : {
            engine: engine ?? 'dynalite',
            ...(values.persist !== undefined && { persistDir: values.persist }),
          },
    ttlSweepIntervalMs: seconds('--ttl-sweep-interval', values['ttl-sweep-interval']),
    idleTimeoutMs: seconds('--idle-timeout', values['idle-timeout']),
    maxConnectionMs: seconds('--max-connection', values['max-connection']),
    functionConcurrency: positiveInteger('--concurrency', values.concurrency),
    stateDir: nonEmpty('--state-dir', values['state-dir']),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'cdk-out': { type: 'string' },
      dynamodb: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      persist: { type: 'string' },
      'state-dir': { type: 'string' },
      'ttl-sweep-interval': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-connection': { type: 'string' },
      concurrency: { type: 'string' },
      'demo-port': { type: 'string' },
      'no-demo': { type: 'boolean' },
      'services-port': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parsePort(raw: string | undefined, flag: string): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65_535) {
    throw new CliError(`${flag} must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/** Seconds on the command line, milliseconds inside; bounded by what `setTimeout` can wait. */
function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value * 1000 > 2_147_483_647) {
    throw new CliError(`${flag} must be a positive number of seconds (at most 2147483), got "${raw}"`);
  }
  return Math.round(value * 1000);
}

function positiveInteger(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > 1000) {
    throw new CliError(`${flag} must be an integer from 1 to 1000, got "${raw}"`);
  }
  return value;
}

function nonEmpty(flag: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new CliError(`${flag} needs a directory, got ""`);
  return raw;
}
