/**
 * The knobs of {@link RealtimeApi}: the public Props interface, its defaults (kept in one object) and the
 * validation that turns a bad value into an error naming it, before any resource is created.
 *
 * @module
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

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
   * Gateway account settings. WebSocket stages cannot log without that account-wide setting (stage creation
   * fails with "CloudWatch Logs role ARN must be set in account settings"). The role and the setting are
   * retained on `cdk destroy` because other APIs in the account may rely on them. Turn it off when your
   * organisation already manages that setting.
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

/** {@link RealtimeApiProps} with every default applied. */
export type ResolvedRealtimeApiProps = {
  readonly [K in keyof RealtimeApiProps]-?: NonNullable<RealtimeApiProps[K]>;
};

/** The defaults of every {@link RealtimeApiProps} field, in one place. */
export const REALTIME_API_DEFAULTS: ResolvedRealtimeApiProps = Object.freeze({
  stageName: 'prod',
  throttle: Object.freeze({ rateLimit: 500, burstLimit: 1000 }),
  removalPolicy: RemovalPolicy.RETAIN,
  logRetention: RetentionDays.ONE_MONTH,
  fanOutConcurrency: 32,
  memorySize: 256,
  timeout: Duration.seconds(5),
  fanOutTimeout: Duration.seconds(10),
  serviceName: 'realtime-websocket-api',
  cloudWatchRole: true,
});

/** Thrown by the {@link RealtimeApi} constructor when a prop has a value it cannot deploy. */
export class RealtimeApiPropsError extends Error {
  override readonly name = 'RealtimeApiPropsError';
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
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
  const resolved: ResolvedRealtimeApiProps = { ...REALTIME_API_DEFAULTS, ...defined };
  validate(resolved);
  return resolved;
}

function validate(props: ResolvedRealtimeApiProps): void {
  if (!STAGE_NAME.test(props.stageName)) {
    fail(
      `stageName must match ${STAGE_NAME} (1-128 letters, digits, '_' or '-'), got ${show(props.stageName)}`,
    );
  }
  const { rateLimit, burstLimit } = props.throttle;
  if (rateLimit !== undefined && !(Number.isFinite(rateLimit) && rateLimit > 0)) {
    fail(`throttle.rateLimit must be a positive number of requests per second, got ${show(rateLimit)}`);
  }
  if (burstLimit !== undefined && !(Number.isInteger(burstLimit) && burstLimit > 0)) {
    fail(`throttle.burstLimit must be a positive integer, got ${show(burstLimit)}`);
  }
  if (!(Number.isInteger(props.fanOutConcurrency) && props.fanOutConcurrency > 0)) {
    fail(`fanOutConcurrency must be a positive integer, got ${show(props.fanOutConcurrency)}`);
  }
  const memory = props.memorySize;
  if (!(Number.isInteger(memory) && memory >= MIN_MEMORY_MB && memory <= MAX_MEMORY_MB)) {
    fail(`memorySize must be an integer from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} MB, got ${show(memory)}`);
  }
  checkTimeout('timeout', props.timeout);
  checkTimeout('fanOutTimeout', props.fanOutTimeout);
  if (props.serviceName.trim() === '') {
    fail(`serviceName must not be empty, got ${show(props.serviceName)}`);
  }
}

function checkTimeout(name: string, timeout: Duration): void {
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
