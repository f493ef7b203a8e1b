/**
 * The knobs of {@link RealtimeApi}: the public Props interface, its defaults (kept in one object) and the
 * validation that turns a bad value into an error naming it, before any resource is created. A value that
 * is still a token at synth time (a `CfnParameter`, an import) cannot be checked then; CloudFormation checks
 * it at deploy time.
 *
 * @module
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_METRICS_NAMESPACE } from '../lambdas/adapters/metrics.js';
import {
  DEFAULT_FANOUT_INLINE_LIMIT,
  DEFAULT_FANOUT_MAX_ATTEMPTS,
  DEFAULT_HISTORY_SIZE,
  DEFAULT_LEADERBOARD_SIZE,
  DEFAULT_MAX_CONNECTIONS_PER_USER,
  DEFAULT_MAX_SUBSCRIPTIONS,
  MAX_CONNECTIONS_PER_USER_LIMIT,
  MAX_HISTORY_LIMIT,
  MAX_LEADERBOARD_LIMIT,
} from '../lambdas/core/constants.js';
import { isChannelPattern } from '../lambdas/core/grants.js';
import { DEFAULT_RATE_LIMIT } from '../lambdas/core/rate-limit.js';
import type { AuthProps } from './auth.js';
import type { ObservabilityOptions } from './observability.js';
import {
  DEFAULT_ROUTE_THROTTLES,
  mergeRouteThrottles,
  type RouteThrottles,
  THROTTLED_ROUTE_KEYS,
} from './route-throttles.js';

/** Properties of a {@link RealtimeApi}. Every one is optional; the defaults make a deployable demo API. */
export interface RealtimeApiProps {
  /**
   * Stage name: the last segment of the WebSocket and callback URLs.
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Default route throttling of the stage, for all routes together (requests per second and burst).
   *
   * @default - { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: ThrottleSettings;

  /**
   * Throttles of single routes, each with its own token bucket in place of the stage's default {@link throttle}
   * (the stage's `RouteSettings`): the fan-out routes get lower limits, so a flood of one route neither spends
   * the other routes' budget nor multiplies into more `@connections` posts than the account allows. Given
   * routes merge over the defaults field by field; `false` puts a route back on the stage's default; a limit
   * neither given nor defaulted is the stage's. `$disconnect` is never throttled.
   *
   * @default - $connect 500/s burst 1,000; sendmessage 10/s burst 50; publish 100/s burst 200; score 200/s
   * burst 400; every other route on the stage's default (README "Limits and abuse")
   */
  readonly routeThrottles?: RouteThrottles;

  /**
   * What happens to the table and the log groups when they leave the stack (e.g. on `cdk destroy`).
   *
   * @default RemovalPolicy.RETAIN - the connection table and the logs outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long function logs and the stage's access logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * How many `@connections` posts one fan-out invocation keeps in flight (`FANOUT_CONCURRENCY`).
   *
   * @default 32
   */
  readonly fanOutConcurrency?: number;

  /**
   * Memory of every route function, in MB (Lambda also scales CPU with it).
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the routes that do not fan out. At most 29 seconds: API Gateway stops waiting for a
   * WebSocket integration after 29 seconds, so a longer Lambda timeout would only hide lost replies.
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * Timeout of the fan-out routes (`publish`, `sendmessage`), which retry throttled posts while time is left.
   * At most 29 seconds, like {@link timeout}.
   *
   * @default Duration.seconds(10)
   */
  readonly fanOutTimeout?: Duration;

  /**
   * `POWERTOOLS_SERVICE_NAME` of every function: the `service` key of each structured log line.
   *
   * @default 'realtime-websocket-api'
   */
  readonly serviceName?: string;

  /**
   * Whether to create the role API Gateway uses to write access logs, and register it in the region's API
   * Gateway account settings (`AWS::ApiGateway::Account`). That setting is one per account and region,
   * shared by every REST and WebSocket API there, so creating it overwrites whatever role is registered
   * already; it is off by default, as CDK's `RestApi` turned its own `cloudWatchRole` off by default.
   *
   * The stage still writes access logs, which API Gateway only allows once the account has a logging role:
   * without one, stage creation fails with "CloudWatch Logs role ARN must be set in account settings".
   * Register a role once per account and region (console: API Gateway → Settings; CLI:
   * `aws apigateway update-account`), or turn this on. When on, the role and the setting are retained on
   * `cdk destroy` because other APIs in the account may rely on them.
   *
   * @default false
   */
  readonly cloudWatchRole?: boolean;

  /**
   * Messages each channel keeps for history and resume (`HISTORY_SIZE`; 0 keeps none). Kept messages also
   * expire 24 hours after they were sent.
   *
   * @default 50
   */
  readonly historySize?: number;

  /**
   * Entries in each leaderboard snapshot pushed to a board's viewers, and the default of `top`
   * (`LEADERBOARD_SIZE`).
   *
   * @default 10
   */
  readonly leaderboardSize?: number;

  /**
   * How connections authenticate at `$connect`: a JWT in `?token=` or in `Sec-WebSocket-Protocol`, checked by
   * a Lambda REQUEST authorizer, whose claims say what the connection may do per channel (README
   * "Authentication and permissions"). `{ mode: 'hmac' }` verifies HS256 tokens with a key kept in Secrets
   * Manager (generated unless `secret` is given); `{ mode: 'jwks', jwksUrl, issuer, audience }` verifies an
   * OIDC issuer's tokens (Cognito, Auth0). `false` lets anyone who knows the URL connect and do anything: only
   * for a public demo stage.
   *
   * @default { mode: 'hmac' } - auth on, with a generated secret
   */
  readonly auth?: false | AuthProps;

  /**
   * Channel patterns (exact, `prefix*` or `*`) every connected client may subscribe to and read the history
   * and presence of, whatever its token grants; publishing and scoring there still need a grant
   * (`PUBLIC_CHANNELS`).
   *
   * @default [] - no public channels
   */
  readonly publicChannels?: readonly string[];

  /**
   * CloudWatch alarms (each function's errors and throttles, failed `@connections` posts, the stage's
   * integration and execution errors) and a dashboard. `false` leaves them out; an object also routes every
   * alarm to an SNS topic: `alarmEmail` subscribes an address to a new (KMS-encrypted) topic, `alarmTopic`
   * uses yours.
   *
   * @default true - alarms and dashboard, no notification topic
   */
  readonly observability?: boolean | ObservabilityOptions;

  /**
   * CloudWatch namespace of the functions' custom metrics (`METRICS_NAMESPACE`), e.g. `Delivered` and
   * `ConnectionsPostFailed`. Two stacks in one account and region need different namespaces or service names.
   *
   * @default 'RealtimeApi'
   */
  readonly metricsNamespace?: string;

  /**
   * Most connections one user may have open at once (`MAX_CONNECTIONS_PER_USER`; 0: no cap). The user is the
   * authorizer's `userId`, or the `clientId` while auth is off. `$connect` counts the user's connections on
   * the `byUser` index and refuses one more with HTTP 429. The index is eventually consistent, so handshakes
   * in the same instant can overshoot by a few.
   *
   * @default 10
   */
  readonly maxConnectionsPerUser?: number;

  /**
   * Audiences (a channel's subscribers, or everyone for `sendmessage`) smaller than this are posted to by the
   * route itself; larger ones are acknowledged at once and handed to the fan-out queue and its workers
   * (`FANOUT_INLINE_LIMIT`; 0 queues every non-empty audience).
   *
   * @default 1000
   */
  readonly fanOutInlineLimit?: number;

  /**
   * Memory of the fan-out worker, MB. Posting is CPU-bound (~300 µs of SDK work per post) and a Lambda's CPU
   * share grows with its memory; see `npm run bench:fanout`.
   *
   * @default 1024
   */
  readonly fanOutMemorySize?: number;

  /**
   * Slices (queue messages) one worker invocation receives.
   *
   * @default 1
   */
  readonly fanOutBatchSize?: number;

  /**
   * Most worker invocations at once (the SQS event source's maximum concurrency, 2–1000). Together with
   * `fanOutConcurrency` it bounds the posts in flight: keep their product near the account's `@connections`
   * rate × post latency (10,000/s × 20 ms = 200) so workers are not throttled.
   *
   * @default 10
   */
  readonly fanOutMaxConcurrency?: number;

  /**
   * Attempts for each recipient of a queued fan-out before it is dead-lettered (which alarms): a worker
   * re-enqueues only the recipients that failed, with a growing delay, and moves them to the dead-letter queue
   * after this many attempts (`FANOUT_MAX_ATTEMPTS`); a slice whose worker failed before posting is retried by
   * the queue and dead-lettered after this many receives (its `maxReceiveCount`).
   *
   * @default 5
   */
  readonly fanOutMaxReceiveCount?: number;

  /**
   * The per-connection rate limit every message route checks first (GCRA on the connection's item):
   * sustained messages per second, the burst after a quiet spell, and how many refusals close the connection
   * (`RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST`, `RATE_LIMIT_CLOSE_AFTER`). Keep `perSecond` well below the
   * stage `throttle`, which every client shares.
   *
   * @default - { perSecond: 50, burst: 100, closeAfter: 20 }
   */
  readonly rateLimit?: RateLimitSettings;

  /**
   * Subscriptions one connection may hold at once (`MAX_SUBSCRIPTIONS_PER_CONNECTION`); one more is
   * answered `LIMIT_EXCEEDED`.
   *
   * @default 100
   */
  readonly maxSubscriptionsPerConnection?: number;
}

/** The per-connection rate limit of {@link RealtimeApiProps.rateLimit}. */
export interface RateLimitSettings {
  /** Sustained messages per second, per connection. */
  readonly perSecond: number;
  /** Messages a connection may send at once after a quiet spell. */
  readonly burst: number;
  /**
   * Refusals (since the connection's bucket last ran empty) after which it is closed.
   *
   * @default 20
   */
  readonly closeAfter?: number;
}

/** {@link RealtimeApiProps} with every default applied. */
export type ResolvedRealtimeApiProps = {
  readonly [K in keyof RealtimeApiProps]-?: NonNullable<RealtimeApiProps[K]>;
};

/** The defaults of every {@link RealtimeApiProps} field, in one place. */
export const REALTIME_API_DEFAULTS: ResolvedRealtimeApiProps = Object.freeze({
  stageName: 'prod',
  throttle: Object.freeze({ rateLimit: 500, burstLimit: 1000 }),
  routeThrottles: DEFAULT_ROUTE_THROTTLES,
  removalPolicy: RemovalPolicy.RETAIN,
  logRetention: RetentionDays.ONE_MONTH,
  fanOutConcurrency: 32,
  memorySize: 256,
  timeout: Duration.seconds(5),
  fanOutTimeout: Duration.seconds(10),
  serviceName: 'realtime-websocket-api',
  cloudWatchRole: false,
  historySize: DEFAULT_HISTORY_SIZE,
  leaderboardSize: DEFAULT_LEADERBOARD_SIZE,
  rateLimit: DEFAULT_RATE_LIMIT,
  maxSubscriptionsPerConnection: DEFAULT_MAX_SUBSCRIPTIONS,
  auth: Object.freeze({ mode: 'hmac' }),
  publicChannels: Object.freeze([]),
  observability: true,
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
  maxConnectionsPerUser: DEFAULT_MAX_CONNECTIONS_PER_USER,
  fanOutInlineLimit: DEFAULT_FANOUT_INLINE_LIMIT,
  fanOutMemorySize: 1024,
  fanOutBatchSize: 1,
  fanOutMaxConcurrency: 10,
  fanOutMaxReceiveCount: DEFAULT_FANOUT_MAX_ATTEMPTS,
});

/** Thrown by the {@link RealtimeApi} constructor when a prop has a value it cannot deploy. */
export class RealtimeApiPropsError extends Error {
  override readonly name = 'RealtimeApiPropsError';
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** CloudWatch namespaces: 1-255 of these characters, and not starting with `AWS/` (AWS's own). */
const METRICS_NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** API Gateway's hard limit on how long it waits for a WebSocket integration. */
const MAX_INTEGRATION_SECONDS = 29;
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;

/**
 * Merges the user's props over {@link REALTIME_API_DEFAULTS} and validates the result.
 *
 * @throws RealtimeApiPropsError naming the prop and showing the bad value
 */
export function resolveRealtimeApiProps(props: RealtimeApiProps = {}): ResolvedRealtimeApiProps {
  const defined = Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
  const merged: ResolvedRealtimeApiProps = { ...REALTIME_API_DEFAULTS, ...defined };
  checkRouteKeys(props.routeThrottles);
  const resolved = {
    ...merged,
    routeThrottles: mergeRouteThrottles(props.routeThrottles, merged.throttle),
  };
  validate(resolved);
  return resolved;
}

/**
 * Whether a value can be checked at synth time: `false` for a token (`CfnParameter.valueAsString`,
 * `valueAsNumber`, …), whose value only CloudFormation knows.
 */
const known = (value: unknown): boolean => !Token.isUnresolved(value);

function validate(props: ResolvedRealtimeApiProps): void {
  if (known(props.stageName) && !STAGE_NAME.test(props.stageName)) {
    fail(
      `stageName must match ${STAGE_NAME} (1-128 letters, digits, '_' or '-'), got ${show(props.stageName)}`,
    );
  }
  checkThrottle('throttle', props.throttle);
  for (const [routeKey, throttle] of Object.entries(props.routeThrottles)) {
    if (throttle !== false && throttle !== undefined) checkThrottle(`routeThrottles.${routeKey}`, throttle);
  }
  const concurrency = props.fanOutConcurrency;
  if (known(concurrency) && !(Number.isInteger(concurrency) && concurrency > 0)) {
    fail(`fanOutConcurrency must be a positive integer, got ${show(concurrency)}`);
  }
  const memory = props.memorySize;
  if (known(memory) && !(Number.isInteger(memory) && memory >= MIN_MEMORY_MB && memory <= MAX_MEMORY_MB)) {
    fail(`memorySize must be an integer from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} MB, got ${show(memory)}`);
  }
  checkRange('historySize', props.historySize, 0, MAX_HISTORY_LIMIT);
  checkRange('leaderboardSize', props.leaderboardSize, 1, MAX_LEADERBOARD_LIMIT);
  checkRange('rateLimit.perSecond', props.rateLimit.perSecond, 1, 100_000);
  checkRange('rateLimit.burst', props.rateLimit.burst, 1, 1_000_000);
  checkRange(
    'rateLimit.closeAfter',
    props.rateLimit.closeAfter ?? DEFAULT_RATE_LIMIT.closeAfter,
    1,
    1_000_000,
  );
  checkRange('maxSubscriptionsPerConnection', props.maxSubscriptionsPerConnection, 1, 100_000);
  checkRange('maxConnectionsPerUser', props.maxConnectionsPerUser, 0, MAX_CONNECTIONS_PER_USER_LIMIT);
  checkRange('fanOutInlineLimit', props.fanOutInlineLimit, 0, Number.MAX_SAFE_INTEGER);
  checkRange('fanOutMemorySize', props.fanOutMemorySize, MIN_MEMORY_MB, MAX_MEMORY_MB);
  checkRange('fanOutBatchSize', props.fanOutBatchSize, 1, 10);
  checkRange('fanOutMaxConcurrency', props.fanOutMaxConcurrency, 2, 1000);
  checkRange('fanOutMaxReceiveCount', props.fanOutMaxReceiveCount, 1, 1000);
  checkTimeout('timeout', props.timeout);
  checkTimeout('fanOutTimeout', props.fanOutTimeout);
  if (known(props.serviceName) && props.serviceName.trim() === '') {
    fail(`serviceName must not be empty, got ${show(props.serviceName)}`);
  }
  checkAuth(props.auth);
  for (const pattern of props.publicChannels) {
    if (known(pattern) && !isChannelPattern(pattern)) {
      fail(`publicChannels: each must be a channel name, "prefix*" or "*", got ${show(pattern)}`);
    }
  }
  if (known(props.metricsNamespace) && !METRICS_NAMESPACE.test(props.metricsNamespace)) {
    fail(`metricsNamespace must match ${METRICS_NAMESPACE}, got ${show(props.metricsNamespace)}`);
  }
  checkObservability(props.observability);
}

function checkThrottle(name: string, { rateLimit, burstLimit }: ThrottleSettings): void {
  if (rateLimit !== undefined && known(rateLimit) && !(Number.isFinite(rateLimit) && rateLimit > 0)) {
    fail(`${name}.rateLimit must be a positive number of requests per second, got ${show(rateLimit)}`);
  }
  if (burstLimit !== undefined && known(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit > 0)) {
    fail(`${name}.burstLimit must be a positive integer, got ${show(burstLimit)}`);
  }
}

/** Route throttles only for the API's routes; `$disconnect` cannot be refused, so it cannot be throttled. */
function checkRouteKeys(routeThrottles: RouteThrottles | undefined): void {
  for (const routeKey of Object.keys(routeThrottles ?? {})) {
    if (!(THROTTLED_ROUTE_KEYS as readonly string[]).includes(routeKey)) {
      fail(
        `routeThrottles: each key must be one of ${THROTTLED_ROUTE_KEYS.join(', ')} ` +
          `($disconnect is never throttled), got ${show(routeKey)}`,
      );
    }
  }
}

function checkAuth(auth: false | AuthProps): void {
  if (auth === false || auth.mode === 'hmac') return;
  if (auth.mode !== 'jwks') fail(`auth.mode must be "hmac" or "jwks", got ${show((auth as AuthProps).mode)}`);
  if (known(auth.jwksUrl) && !/^https:\/\/[^\s/]+/.test(auth.jwksUrl)) {
    fail(`auth.jwksUrl must be an https:// URL, got ${show(auth.jwksUrl)}`);
  }
  for (const key of ['issuer', 'audience'] as const) {
    if (known(auth[key]) && auth[key].trim() === '') fail(`auth.${key} must not be empty`);
  }
}

function checkObservability(observability: boolean | ObservabilityOptions): void {
  if (typeof observability !== 'object') return;
  const { alarmEmail, alarmTopic } = observability;
  if (alarmEmail !== undefined && alarmTopic !== undefined) {
    fail(
      `observability takes alarmEmail or alarmTopic, not both (subscribe ${show(alarmEmail)} to your topic ` +
        'yourself)',
    );
  }
  if (alarmEmail !== undefined && known(alarmEmail) && !EMAIL.test(alarmEmail)) {
    fail(`observability.alarmEmail must be an e-mail address, got ${show(alarmEmail)}`);
  }
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (known(value) && !(Number.isInteger(value) && value >= min && value <= max)) {
    fail(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

function checkTimeout(name: string, timeout: Duration): void {
  if (timeout.isUnresolved()) {
    return;
  }
  const ms = timeout.toMilliseconds();
  if (!(ms >= 1000 && ms <= MAX_INTEGRATION_SECONDS * 1000 && ms % 1000 === 0)) {
    fail(
      `${name} must be a whole number of seconds from 1 to ${MAX_INTEGRATION_SECONDS} ` +
        `(API Gateway's integration limit), got ${timeout.toHumanString()}`,
    );
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function fail(message: string): never {
  throw new RealtimeApiPropsError(`RealtimeApi: ${message}`);
}
