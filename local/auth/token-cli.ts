/**
 * `npm run token`: mints a token for the product's HMAC authorizer. By default it signs with the local
 * runtime's persisted secret (the state directory `npm start` keeps); with `--secret-arn` it reads the secret
 * of a deployed stack (its `AuthSecretArn` output) through Secrets Manager, with the caller's AWS credentials.
 * The token goes to stdout alone, so `TOKEN=$(npm run -s token -- --sub alice)` works; a summary goes to stderr.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_STATE_DIR, keptSecrets } from '../secrets/vault.js';
import { type GrantedOperation, OPERATIONS, SUBJECT_PATTERN, signToken, type TokenClaims } from './tokens.js';

/** `--help` text. */
export const TOKEN_USAGE = `Usage: npm run token -- --sub USER [options]

Mints a JWT (HS256) for the realtime API's authorizer and prints it.

Options:
  --sub USER           the user id (required; ${SUBJECT_PATTERN.source}); it is also the clientId
                       the connection shows to others (a ?clientId= naming anyone else is refused: 403)
  --channels LIST      channel names or prefix patterns, comma-separated, e.g. 'game-*,lobby' ('*': all)
  --ops LIST           operations allowed on those channels: ${OPERATIONS.join(',')} (default: all)
  --name NAME          display name
  --broadcast          may broadcast to every connection (sendmessage)
  --users LIST         user-id patterns the holder may message directly, e.g. 'bob,team-*'
  --ttl DURATION       lifetime: 90s, 30m, 1h, 7d or plain seconds (default 1h)
  --state-dir DIR      sign with the local runtime's secret kept in DIR (default ${DEFAULT_STATE_DIR})
  --secret-arn ARN     sign with this Secrets Manager secret instead (a deployed stack's AuthSecretArn output)
  --region REGION      region of --secret-arn (default: the ARN's)
  -h, --help           show this help
`;

/** The default token lifetime: 1 h. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** A bad command line; the message names the flag and the value. */
export class TokenCliError extends Error {
  override readonly name = 'TokenCliError';
}

/** What the command line asks for. */
export interface TokenOptions {
  readonly help: boolean;
  readonly claims: TokenClaims;
  readonly ttlSeconds: number;
  /** Where the signing key comes from. */
  readonly source:
    | { readonly kind: 'local'; readonly stateDir: string }
    | { readonly kind: 'secretsManager'; readonly arn: string; readonly region: string };
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `30m`, `1h`, `7d` or plain seconds, in seconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * (UNITS[match[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new TokenCliError(`--ttl must be a duration such as 90s, 30m, 1h or 7d, got "${raw}"`);
  }
  return seconds;
}

const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * Parses `argv` (after `--`) into {@link TokenOptions}.
 *
 * @throws TokenCliError naming the bad flag and value.
 */
export function parseTokenOptions(argv: readonly string[]): TokenOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    const first = (error as Error).message.split(/\.\s|\n/)[0]?.replace(/\.$/, '') ?? 'Bad arguments';
    throw new TokenCliError(`${first}. Run with --help for the options.`);
  }
  const help = values.help ?? false;
  const sub = values.sub;
  if (sub === undefined) {
    if (help)
      return { help, claims: { sub: 'unused' }, ttlSeconds: 1, source: { kind: 'local', stateDir: '' } };
    throw new TokenCliError('--sub is required: the user id the token is for, e.g. --sub alice');
  }
  if (!SUBJECT_PATTERN.test(sub)) {
    throw new TokenCliError(`--sub must match ${SUBJECT_PATTERN.source}, got "${sub}"`);
  }
  const ops = values.ops === undefined ? ['*' as const] : parseOps(values.ops);
  if (values.ops !== undefined && values.channels === undefined) {
    throw new TokenCliError(`--ops ${values.ops} needs --channels: the channels those operations apply to`);
  }
  const channels = values.channels === undefined ? undefined : list(values.channels);
  if (channels !== undefined && channels.length === 0) {
    throw new TokenCliError(`--channels needs at least one channel or pattern, got "${values.channels}"`);
  }
  for (const channel of channels ?? []) {
    if (channel.indexOf('*') !== -1 && channel.indexOf('*') !== channel.length - 1) {
      throw new TokenCliError(`--channels: "${channel}" may only end with * (a prefix pattern)`);
    }
  }
  const users = values.users === undefined ? undefined : list(values.users);
  const name = values.name;
  if (name !== undefined && name.trim() === '') throw new TokenCliError('--name must not be empty');
  const claims: TokenClaims = {
    sub,
    ...(name !== undefined && { name }),
    ...(channels !== undefined && { channels: Object.fromEntries(channels.map((c) => [c, ops])) }),
    ...(values.broadcast === true && { broadcast: true }),
    ...(users !== undefined && { users }),
  };
  const ttlSeconds = values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : parseDuration(values.ttl);
  const arn = values['secret-arn'];
  if (arn !== undefined && values['state-dir'] !== undefined) {
    throw new TokenCliError('--secret-arn and --state-dir conflict: pass one');
  }
  if (arn === undefined && values.region !== undefined) {
    throw new TokenCliError(`--region ${values.region} only applies to --secret-arn`);
  }
  if (arn === undefined) {
    return {
      help,
      claims,
      ttlSeconds,
      source: { kind: 'local', stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR },
    };
  }
  const arnRegion = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/.exec(arn)?.[1];
  if (arnRegion === undefined) {
    throw new TokenCliError(
      `--secret-arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${arn}"`,
    );
  }
  return {
    help,
    claims,
    ttlSeconds,
    source: { kind: 'secretsManager', arn, region: values.region ?? arnRegion },
  };
}

function parseOps(raw: string): GrantedOperation[] {
  const ops = list(raw);
  const known: readonly string[] = [...OPERATIONS, '*'];
  const unknown = ops.filter((op) => !known.includes(op));
  if (ops.length === 0 || unknown.length > 0) {
    throw new TokenCliError(`--ops takes ${OPERATIONS.join(', ')} or *, comma-separated, got "${raw}"`);
  }
  return ops as GrantedOperation[];
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      sub: { type: 'string' },
      channels: { type: 'string' },
      ops: { type: 'string' },
      name: { type: 'string' },
      broadcast: { type: 'boolean' },
      users: { type: 'string' },
      ttl: { type: 'string' },
      'state-dir': { type: 'string' },
      'secret-arn': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Where the CLI writes, and how it reaches Secrets Manager; tests inject both. */
export interface TokenCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default a `SecretsManagerClient` for the region, with the default credential chain */
  readonly secretsManager?: (region: string) => Pick<SecretsManagerClient, 'send'>;
}

/** Runs the CLI; resolves with the exit code (0, or 1 with one line on stderr). */
export async function runTokenCli(argv: readonly string[], io: TokenCliIo): Promise<number> {
  try {
    const options = parseTokenOptions(argv);
    if (options.help) {
      io.stdout(TOKEN_USAGE);
      return 0;
    }
    const secret = await signingSecret(options.source, io);
    const token = await signToken(secret, options.claims, { ttlSeconds: options.ttlSeconds });
    io.stdout(`${token}\n`);
    const expires = new Date(Date.now() + options.ttlSeconds * 1000).toISOString();
    io.stderr(`# token for ${options.claims.sub}, expires ${expires}; connect with ?token=<it>\n`);
    return 0;
  } catch (error) {
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function signingSecret(source: TokenOptions['source'], io: TokenCliIo): Promise<string> {
  if (source.kind === 'secretsManager') {
    const client = io.secretsManager?.(source.region) ?? new SecretsManagerClient({ region: source.region });
    let value: string | undefined;
    try {
      value = (await client.send(new GetSecretValueCommand({ SecretId: source.arn }))).SecretString;
    } catch (error) {
      throw new TokenCliError(
        `Cannot read ${source.arn} from Secrets Manager (${(error as Error).name}: ${(error as Error).message})`,
      );
    }
    if (value === undefined || value === '') throw new TokenCliError(`${source.arn} has no SecretString`);
    return value;
  }
  const kept = await keptSecrets(source.stateDir);
  const [first, ...others] = kept.values();
  if (first === undefined) {
    throw new TokenCliError(
      `No local secret in ${source.stateDir}: run npm start once (it generates the stack's secret there), or pass --secret-arn for a deployed stack`,
    );
  }
  if (others.length > 0) {
    throw new TokenCliError(
      `${source.stateDir} holds ${kept.size} secrets (${[...kept.keys()].join(', ')}): pass --secret-arn, or --state-dir of a single app`,
    );
  }
  return first;
}
