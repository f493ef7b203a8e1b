/**
 * Options of `npm run cost`: a preset (or the defaults), then flags on top. Stack defaults (memory sizes,
 * throttle, fan-out timeout, inline limit, log retention) are read from lib/realtime-api-props.ts and the slice
 * size from lambdas/core/constants.ts (the stack leaves `FANOUT_SLICE_SIZE` unset), so the model follows the
 * stack when its defaults change; test/unit/cost/stack-assumptions.test.ts checks them against the template.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { customMetricCount } from '../../lambdas/adapters/metrics.js';
import {
  DEFAULT_FANOUT_SLICE_SIZE,
  MAX_FANOUT_SLICE_SIZE,
  MAX_FRAME_BYTES,
} from '../../lambdas/core/constants.js';
import { alarmCount } from '../../lib/observability.js';
import { REALTIME_API_DEFAULTS } from '../../lib/realtime-api-props.js';
import type { RouteThrottles } from '../../lib/route-throttles.js';
import { ROUTES } from '../../lib/routes.js';
import type { Assumptions, ReadConsistency, Workload } from './model.js';
import { PRICE_REGION } from './prices.js';

/** The named workloads of `--workload` and of the `--markdown` table. */
export type PresetName = 'lobby' | 'chat' | 'broadcast';

/** A preset: its workload and one line saying what it is. */
export interface Preset {
  readonly description: string;
  readonly workload: Workload;
}

/** The workload when no `--workload` is given: the `chat` preset. */
export const DEFAULT_WORKLOAD: Workload = Object.freeze({
  connections: 10_000,
  hoursPerDay: 8,
  daysPerMonth: 30,
  sessionMinutes: 60,
  subscribesPerConnection: 1,
  messagesPerConnectionPerHour: 30,
  subscribersPerMessage: 50,
  messageBytes: 512,
  pingsPerConnectionPerHour: 0,
});

/** The three presets, in the order the `--markdown` table lists them. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = Object.freeze({
  lobby: {
    description:
      'game lobby: 2,000 players online 4 h/day in 30-min sessions, each subscribed to the lobby list and ' +
      'its own 16-player lobby, sending a 256 B state update every 30 s to the 16',
    workload: {
      ...DEFAULT_WORKLOAD,
      connections: 2_000,
      hoursPerDay: 4,
      sessionMinutes: 30,
      subscribesPerConnection: 2,
      messagesPerConnectionPerHour: 120,
      subscribersPerMessage: 16,
      messageBytes: 256,
    },
  },
  chat: {
    description:
      'chat app: 10,000 users online 8 h/day in 1-h sessions, each in one room, sending 30 messages/h of ' +
      '512 B to the 50 members of the room',
    workload: DEFAULT_WORKLOAD,
  },
  broadcast: {
    description:
      'broadcast: 50,000 viewers of a 2-h daily live show, one announcer posting a 1 KB update every 5 s to ' +
      'all of them; viewers only listen, so they ping 7 times an hour to stay under the 10-min idle timeout',
    workload: {
      ...DEFAULT_WORKLOAD,
      connections: 50_000,
      hoursPerDay: 2,
      sessionMinutes: 120,
      subscribesPerConnection: 1,
      // 720 messages an hour from one announcer, averaged over the 50,000 connections.
      messagesPerConnectionPerHour: 720 / 50_000,
      subscribersPerMessage: 50_000,
      messageBytes: 1024,
      pingsPerConnectionPerHour: 7,
    },
  },
});

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The `publish` route's throttle rate in `throttles`, or the stage default's when it has none of its own. */
export const publishRateLimitOf = (throttles: RouteThrottles | undefined): number => {
  const publish = throttles?.publish;
  const stage = REALTIME_API_DEFAULTS.throttle.rateLimit ?? Number.POSITIVE_INFINITY;
  return publish === undefined || publish === false ? stage : (publish.rateLimit ?? stage);
};

/** The assumptions when no flag changes them. */
export const DEFAULT_ASSUMPTIONS: Assumptions = Object.freeze({
  memoryMb: REALTIME_API_DEFAULTS.memorySize,
  fanOutMemoryMb: REALTIME_API_DEFAULTS.fanOutMemorySize,
  // A warm invocation's one or two in-region DynamoDB round trips (an estimate, not a measurement).
  baseMs: 10,
  // `npm run bench:post`: ~300 µs of CPU per PostToConnection through the AWS SDK (what the fan-out posts
  // with), warm, 32 in flight, on the machine that ran it.
  postUs: 300,
  // What lambdas/adapters/dynamodb-store.ts asks for (`ConsistentRead: true`).
  readConsistency: 'strong',
  // pk `CHAN#<channel>`, sk `CONN#<16-char id>`, connectionId, subscribedAt, ttl: ~100 B with names.
  subscriptionItemBytes: 100,
  // A keys-only index entry: pk, sk and connectionId.
  indexItemBytes: 70,
  fanOutInlineLimit: REALTIME_API_DEFAULTS.fanOutInlineLimit,
  fanOutSliceSize: DEFAULT_FANOUT_SLICE_SIZE,
  // START (~75 B), END (~50 B) and REPORT (~145 B) lines plus 26 B of CloudWatch metadata per event.
  logBytesPerInvocation: 350,
  // The Powertools JSON `fan-out` line at INFO, with its 26 B of metadata.
  fanoutLogBytes: 300,
  // The 17 fields of lib/access-log-format.ts as JSON, with a typical user agent.
  accessLogBytes: 600,
  // One EMF line of lambdas/adapters/metrics.ts (5 metrics, dimensions service and route), measured at 444 B,
  // plus its 26 B of metadata.
  emfBytesPerFanOut: 470,
  // Delivered, Gone, Failed, Retried and FanOutDuration per fan-out route, QueueLag and ConnectionsPostFailed.
  customMetrics: customMetricCount(),
  // lib/observability.ts: errors and throttles of every route function, the reaper, the publisher and
  // the fan-out worker (not the authorizer, whose refusals are errors by design), failed posts, the stage's integration and execution errors; and the
  // fan-out dead-letter queue's alarm.
  alarms: alarmCount(ROUTES.length + 3) + 1,
  dashboards: 1,
  sqsIdlePollers: 5,
  logRetentionDays: REALTIME_API_DEFAULTS.logRetention,
  stageRateLimit: REALTIME_API_DEFAULTS.throttle.rateLimit ?? Number.POSITIVE_INFINITY,
  publishRateLimit: publishRateLimitOf(REALTIME_API_DEFAULTS.routeThrottles),
  fanOutTimeoutMs: REALTIME_API_DEFAULTS.fanOutTimeout.toMilliseconds(),
  // The $connect authorizer, when auth is on; WebSocket APIs cache no authorizer result.
  authorizerInvocationsPerConnect: REALTIME_API_DEFAULTS.auth === false ? 0 : 1,
  // lambdas/adapters/dynamodb-rate-limiter.ts: one conditional UpdateItem per message outside bursts.
  rateLimitWritesPerMessage: 1,
  // The HMAC key of auth's `hmac` mode (lib/auth.ts); `jwks` mode and auth off keep none.
  secrets: REALTIME_API_DEFAULTS.auth !== false && REALTIME_API_DEFAULTS.auth.mode === 'hmac' ? 1 : 0,
} satisfies Assumptions);

/** A full run of `npm run cost`. */
export type CostCommand =
  | {
      readonly kind: 'estimate';
      readonly preset: PresetName | undefined;
      readonly workload: Workload;
      readonly assumptions: Assumptions;
    }
  | { readonly kind: 'markdown'; readonly assumptions: Assumptions }
  | { readonly kind: 'help' };

/** Thrown for an unknown, malformed or out-of-range flag; the CLI prints it and exits with code 2. */
export class CostOptionsError extends Error {
  override readonly name = 'CostOptionsError';
}

type NumberKind = 'integer' | 'number';

/** The keys of `T` whose values are numbers. */
type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface NumberFlag<K> {
  readonly key: K;
  readonly kind: NumberKind;
  readonly min: number;
  readonly max: number;
  /** Whether `min` itself is allowed. */
  readonly minInclusive: boolean;
}

const num = <K>(key: K, kind: NumberKind, min: number, max: number, minInclusive = true): NumberFlag<K> => ({
  key,
  kind,
  min,
  max,
  minInclusive,
});

const BIG = 1e12;

const WORKLOAD_FLAGS = {
  connections: num('connections', 'integer', 0, BIG),
  'hours-per-day': num('hoursPerDay', 'number', 0, 24),
  'days-per-month': num('daysPerMonth', 'number', 0, 31, false),
  'session-minutes': num('sessionMinutes', 'number', 0, 120, false),
  'subscribes-per-connection': num('subscribesPerConnection', 'integer', 0, 1000),
  'messages-per-connection-per-hour': num('messagesPerConnectionPerHour', 'number', 0, 1e6),
  'subscribers-per-message': num('subscribersPerMessage', 'integer', 0, BIG),
  'message-bytes': num('messageBytes', 'integer', 1, MAX_FRAME_BYTES),
  'pings-per-connection-per-hour': num('pingsPerConnectionPerHour', 'number', 0, 3600),
} as const satisfies Record<string, NumberFlag<NumericKey<Workload>>>;

const ASSUMPTION_FLAGS = {
  'memory-mb': num('memoryMb', 'integer', 128, 10_240),
  'fanout-memory-mb': num('fanOutMemoryMb', 'integer', 128, 10_240),
  'base-ms': num('baseMs', 'number', 0, 900_000),
  'post-us': num('postUs', 'number', 0, 1e7),
  'subscription-item-bytes': num('subscriptionItemBytes', 'integer', 1, 400 * 1024),
  'index-item-bytes': num('indexItemBytes', 'integer', 1, 400 * 1024),
  'fanout-slice-size': num('fanOutSliceSize', 'integer', 1, MAX_FANOUT_SLICE_SIZE),
  'log-bytes-per-invocation': num('logBytesPerInvocation', 'integer', 0, 1e9),
  'fanout-log-bytes': num('fanoutLogBytes', 'integer', 0, 1e9),
  'access-log-bytes': num('accessLogBytes', 'integer', 0, 1e9),
  'custom-metrics': num('customMetrics', 'integer', 0, 1e6),
  alarms: num('alarms', 'integer', 0, 1e6),
  dashboards: num('dashboards', 'integer', 0, 1e6),
  'emf-bytes': num('emfBytesPerFanOut', 'integer', 0, 1e9),
  'sqs-idle-pollers': num('sqsIdlePollers', 'integer', 0, 1e6),
  'authorizer-invocations': num('authorizerInvocationsPerConnect', 'integer', 0, 1),
  'rate-limit-writes': num('rateLimitWritesPerMessage', 'number', 0, 100),
  secrets: num('secrets', 'integer', 0, 1e6),
} as const satisfies Record<string, NumberFlag<NumericKey<Assumptions>>>;

type WorkloadFlag = keyof typeof WORKLOAD_FLAGS;
type AssumptionFlag = keyof typeof ASSUMPTION_FLAGS;

const A = DEFAULT_ASSUMPTIONS;
const HELP_ROWS: readonly (readonly [string, string])[] = [
  ['Workload (defaults: the chat preset):', ''],
  ['--workload lobby|chat|broadcast', 'start from a preset; the flags below override it'],
  ['--connections 10000', 'connections open at once during the active hours'],
  ['--hours-per-day 8', 'hours a day they are open (0-24)'],
  ['--days-per-month 30', 'active days a month (a calendar month is 30 days)'],
  ['--session-minutes 60', 'average session (at most 120: API Gateway closes connections at 2 h)'],
  ['--subscribes-per-connection 1', 'subscribe requests per session, each to its own channel'],
  ['--messages-per-connection-per-hour 30', 'publish requests per connection per hour (fractions allowed)'],
  ['--subscribers-per-message 50', 'recipients of each publish'],
  ['--message-bytes 512', `size of a message, in and out (max ${MAX_FRAME_BYTES})`],
  ['--pings-per-connection-per-hour 0', 'heartbeats of clients that would otherwise idle out (10 min)'],
  ['Assumptions:', ''],
  [`--memory-mb ${A.memoryMb}`, 'memory of every route function (RealtimeApiProps.memorySize)'],
  [
    `--fanout-memory-mb ${A.fanOutMemoryMb}`,
    'memory of the fan-out worker (RealtimeApiProps.fanOutMemorySize)',
  ],
  [`--base-ms ${A.baseMs}`, 'billed ms of every invocation before its posts (its DynamoDB round trips)'],
  [`--post-us ${A.postUs}`, 'billed µs per @connections post or SQS send: npm run bench:post measures'],
  ['', '~300 µs of CPU per post through the AWS SDK (on this machine, not on a Lambda share of a vCPU)'],
  ['--read-consistency strong|eventual', 'subscribers query (the code reads strongly consistent)'],
  [`--subscription-item-bytes ${A.subscriptionItemBytes}`, 'DynamoDB size of a subscription item'],
  [`--index-item-bytes ${A.indexItemBytes}`, 'size of a keys-only byConnection index entry'],
  [
    `--fanout-inline-limit ${A.fanOutInlineLimit}`,
    'audiences of this many or more fan out through SQS (RealtimeApiProps.fanOutInlineLimit);',
  ],
  ['', '"none" = always inline (no queue); --fanout-threshold is the old name'],
  [
    `--fanout-slice-size ${A.fanOutSliceSize}`,
    `recipients per SQS slice and worker page (FANOUT_SLICE_SIZE, max ${MAX_FANOUT_SLICE_SIZE})`,
  ],
  [`--log-bytes-per-invocation ${A.logBytesPerInvocation}`, "Lambda's START/END/REPORT lines"],
  [`--fanout-log-bytes ${A.fanoutLogBytes}`, 'the fan-out log line of a publish or worker'],
  [`--access-log-bytes ${A.accessLogBytes}`, 'one API Gateway access log line'],
  [`--emf-bytes ${A.emfBytesPerFanOut}`, 'the EMF (metrics) line of a publish or worker, ingested as logs'],
  [`--custom-metrics ${A.customMetrics}`, 'custom metrics published through EMF (what the stack publishes)'],
  [`--alarms ${A.alarms}`, 'CloudWatch alarms (what the stack defines; observability: false → 0)'],
  [`--dashboards ${A.dashboards}`, 'CloudWatch dashboards (the stack defines one)'],
  [
    `--sqs-idle-pollers ${A.sqsIdlePollers}`,
    'event source mapping pollers long-polling the idle queue (2-5)',
  ],
  [
    `--authorizer-invocations ${A.authorizerInvocationsPerConnect}`,
    'authorizer runs per connect (1 with auth on, 0 with auth: false)',
  ],
  [
    `--rate-limit-writes ${A.rateLimitWritesPerMessage}`,
    "the rate limit's META writes per message (about 2 in bursts)",
  ],
  [`--secrets ${A.secrets}`, 'Secrets Manager secrets (the token key of hmac auth)'],
  [`--region ${PRICE_REGION}`, 'the only region with prices'],
  ['Output:', ''],
  ['--markdown', 'the README tables of the three presets (assumption flags apply)'],
  ['--help', ''],
];
const HELP_WIDTH = Math.max(...HELP_ROWS.map(([flag]) => flag.length)) + 2;

/** One line per flag, for `--help` and after an error. */
export const USAGE = [
  `Usage: npm run cost -- [flags]   (monthly AWS bill of a workload; prices: ${PRICE_REGION}, bench/cost/prices.ts)`,
  ...HELP_ROWS.map(([flag, text]) =>
    text === '' && !flag.startsWith('--') ? flag : `  ${flag.padEnd(HELP_WIDTH)}${text}`.trimEnd(),
  ),
].join('\n');

const STRING_FLAGS = [
  'workload',
  'read-consistency',
  'fanout-inline-limit',
  'fanout-threshold',
  'region',
  ...Object.keys(WORKLOAD_FLAGS),
  ...Object.keys(ASSUMPTION_FLAGS),
];

function parseNumber<K>(flag: string, raw: string, spec: NumberFlag<K>): number {
  const text = raw.trim();
  const value = Number(text);
  const inRange =
    (spec.minInclusive ? value >= spec.min : value > spec.min) && value <= spec.max && Number.isFinite(value);
  const shapeOk = text !== '' && (spec.kind === 'number' || Number.isInteger(value));
  if (!shapeOk || !inRange) {
    const what = spec.kind === 'integer' ? 'an integer' : 'a number';
    const from = spec.minInclusive ? `from ${spec.min}` : `above ${spec.min}`;
    throw new CostOptionsError(
      `--${flag} must be ${what} ${from} to ${spec.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new CostOptionsError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/**
 * Parses the command line of `npm run cost` (no environment variables: a cost estimate should be reproducible
 * from its command alone). Throws {@link CostOptionsError} naming the flag and the value when one is unknown,
 * malformed or out of range.
 *
 * @example
 * parseCostOptions(['--workload', 'lobby', '--connections', '500']);
 */
export function parseCostOptions(argv: readonly string[]): CostCommand {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((name) => [name, { type: 'string' as const }])),
        markdown: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new CostOptionsError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const values = parsed.values;
  if (values.help === true) return { kind: 'help' };
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };

  const region = text('region');
  if (region !== undefined) oneOf('region', region, [PRICE_REGION]);

  const assumptions: Mutable<Assumptions> = { ...DEFAULT_ASSUMPTIONS };
  for (const [flag, spec] of Object.entries(ASSUMPTION_FLAGS) as [
    AssumptionFlag,
    NumberFlag<NumericKey<Assumptions>>,
  ][]) {
    const raw = text(flag);
    if (raw !== undefined) assumptions[spec.key] = parseNumber(flag, raw, spec);
  }
  const consistency = text('read-consistency');
  if (consistency !== undefined) {
    assumptions.readConsistency = oneOf<ReadConsistency>('read-consistency', consistency, [
      'strong',
      'eventual',
    ]);
  }
  const inlineFlags = (['fanout-inline-limit', 'fanout-threshold'] as const).filter(
    (f) => text(f) !== undefined,
  );
  if (inlineFlags.length > 1) {
    throw new CostOptionsError(
      '--fanout-threshold is the old name of --fanout-inline-limit: give one of them',
    );
  }
  const inlineFlag = inlineFlags[0];
  const inlineLimit = inlineFlag === undefined ? undefined : text(inlineFlag);
  if (inlineFlag !== undefined && inlineLimit !== undefined) {
    assumptions.fanOutInlineLimit =
      inlineLimit.trim() === 'none'
        ? Number.POSITIVE_INFINITY
        : parseNumber(inlineFlag, inlineLimit, num('fanOutInlineLimit', 'integer', 0, BIG));
  }

  const workloadFlagsGiven = (Object.keys(WORKLOAD_FLAGS) as WorkloadFlag[]).filter(
    (f) => text(f) !== undefined,
  );
  const presetRaw = text('workload');
  if (values.markdown === true) {
    const extra = [...(presetRaw === undefined ? [] : ['workload']), ...workloadFlagsGiven];
    if (extra.length > 0) {
      throw new CostOptionsError(
        `--markdown prints the three presets, so it takes no workload flag; drop ${extra.map((f) => `--${f}`).join(', ')}`,
      );
    }
    return { kind: 'markdown', assumptions: assumptions };
  }
  const preset = presetRaw === undefined ? undefined : oneOf('workload', presetRaw, PRESET_NAMES);
  const workload: Mutable<Workload> = {
    ...(preset === undefined ? DEFAULT_WORKLOAD : PRESETS[preset].workload),
  };
  for (const flag of workloadFlagsGiven) {
    const spec = WORKLOAD_FLAGS[flag];
    workload[spec.key] = parseNumber(flag, text(flag) ?? '', spec);
  }
  return { kind: 'estimate', preset, workload, assumptions: assumptions };
}
