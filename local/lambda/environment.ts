/**
 * The environment variables the Lambda service itself sets in an execution environment, as far as they make
 * sense offline. A function's own variables come first; these win over them (Lambda refuses reserved keys such as
 * `AWS_REGION` in a function's configuration), and the runtime's extra variables win over everything.
 *
 * @module
 */
import { LOCAL_CREDENTIALS } from '../constants.js';
import type { FunctionModel } from '../model.js';

/**
 * The Node.js flags Lambda's bootstrap starts a function with: a tenth of `MemorySize` for the young
 * generation (half of it per semi-space), the rest for the old generation, so a function that outgrows its
 * memory fails as it would in AWS instead of growing into the host's.
 */
export function lambdaNodeFlags(memoryMB: number): string[] {
  const newSpace = Math.floor(memoryMB / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
    `--max-old-space-size=${memoryMB - newSpace}`,
  ];
}

/** The SDK's per-service endpoint variables, all pointing at the runtime's services endpoint. */
export function servicesEndpointVariables(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_LAMBDA: endpoint,
  };
}

/** What the runtime knows about where a function runs. */
export interface RuntimeEnvironmentOptions {
  readonly region: string;
  /** The function's task root (`LAMBDA_TASK_ROOT`): its asset laid out alone, as in `/var/task`. */
  readonly taskRoot: string;
  /** `AWS_ENDPOINT_URL_DYNAMODB`: where the SDK's DynamoDB clients go. */
  readonly dynamoDbEndpoint?: string;
  /**
   * The runtime's other emulated services (`local/services/`): `AWS_ENDPOINT_URL_SQS`,
   * `AWS_ENDPOINT_URL_SECRETS_MANAGER` and `AWS_ENDPOINT_URL_LAMBDA`.
   */
  readonly servicesEndpoint?: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Extra variables (e.g. `POWERTOOLS_DEV`), set last. */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * The full `process.env` of one execution environment: the function's resolved variables (`NODE_OPTIONS`
 * among them, when the template sets it), then Lambda's own variables, then the runtime's extras. Nothing
 * leaks in from the runtime's own environment except `PATH`.
 */
export function lambdaEnvironment(
  fn: FunctionModel,
  resolved: Readonly<Record<string, string>>,
  options: RuntimeEnvironmentOptions,
): Record<string, string> {
  return {
    ...resolved,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...(options.dynamoDbEndpoint === undefined
      ? {}
      : { AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint }),
    ...(options.servicesEndpoint === undefined ? {} : servicesEndpointVariables(options.servicesEndpoint)),
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: options.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: options.logStreamName,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.extra,
  };
}
