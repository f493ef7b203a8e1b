/**
 * The local Lambda service of one stack: one bounded pool of warm execution environments per function, each a
 * child process of its own with its own environment (the function's resolved variables plus what Lambda itself
 * sets), running in the function's task root (its asset laid out alone, as in `/var/task`).
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolveEnvironment } from '../assembly/intrinsics.js';
import type { ApiPorts } from '../assembly/local-urls.js';
import { LOCAL_ACCOUNT_ID } from '../constants.js';
import type { FunctionModel, InvokeResult, LambdaInvoker, StackModel } from '../model.js';
import { lambdaEnvironment, lambdaNodeFlags } from './environment.js';
import type { WorkerSpec } from './execution-environment.js';
import { FunctionPool, type PoolStats } from './function-pool.js';
import { locateHandler } from './handler-module.js';
import { errorResult } from './results.js';
import { TaskRoots } from './task-root.js';

/** Options of `createLambdaInvoker`. */
export interface LambdaInvokerOptions {
  /** `AWS_REGION` of every function, and what `AWS::Region` resolves to. @default 'us-east-1' */
  readonly region?: string;
  /** `AWS_ENDPOINT_URL_DYNAMODB` of every function (the local DynamoDB). @default unset */
  readonly dynamoDbEndpoint?: string;
  /** The runtime's services endpoint (`local/services/`) for SQS, Secrets Manager and Lambda. @default unset */
  readonly servicesEndpoint?: string;
  /**
   * apiId → port of the local gateway, so stage callback URLs resolve to it. Read at each cold start: a `Map`
   * filled in after the gateway listens is seen by workers started afterwards. @default no ports
   */
  readonly apiPorts?: ApiPorts;
  /** Host of the local gateway in rewritten URLs. @default '127.0.0.1' */
  readonly host?: string;
  /** Extra variables for every function, set last (they win). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Most workers one function runs at once; a lower `ReservedConcurrentExecutions` lowers it further. Invocations
   * beyond it queue. Workers share this machine's cores, so more of them than cores only adds contention (and,
   * under load, Lambda timeouts): the default is the number of cores, at least 2.
   * @default max(2, os.availableParallelism())
   */
  readonly defaultConcurrency?: number;
  /** Receives each stdout/stderr line of a function's workers. @default discard */
  readonly onLog?: (functionId: string, line: string) => void;
  /**
   * Receives each warning once, e.g. that a function declares a Node.js runtime whose major version differs
   * from this host's. @default discard
   */
  readonly onWarning?: (message: string) => void;
  /**
   * `node_modules` folders to take the AWS SDK from before the runtime's own, in order: Lambda provides
   * `@aws-sdk/*` and `@smithy/*` to bundles that leave them out (CDK's default). Typically the `node_modules`
   * beside the served `cdk.out`. @default the runtime's own SDK only
   */
  readonly sdkSources?: readonly string[];
  /**
   * Replaces the default resolution of a function's `Environment.Variables`
   * (`resolveEnvironment(fn, stack, { region, apiPorts, host, servicesEndpoint })`). @default template resolution
   */
  readonly resolveEnvironment?: (fn: FunctionModel) => Record<string, string>;
}

/** The invoker, plus a view of its pools for logs and tests. */
export interface LocalLambdaInvoker extends LambdaInvoker {
  /** Workers, busy workers and queued invocations of each function that has been invoked. */
  stats(): Record<string, PoolStats>;
}

const DEFAULT_REGION = 'us-east-1';
/** Most workers one function runs at once when neither the options nor the template say otherwise. */
export const DEFAULT_CONCURRENCY = Math.max(2, availableParallelism());

/** The Node.js major version a Lambda runtime identifier names (`nodejs24.x` → 24), if it is a Node one. */
export function runtimeNodeMajor(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match === null ? undefined : Number(match[1]);
}

/** A log stream name like Lambda's: `2026/11/26/[$LATEST]<32 hex>`, one per execution environment. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * Creates the Lambda invoker of `stack`. Execution environments start lazily: the first invocation of a
 * function lays out its task root and is its cold start; later ones reuse a warm environment (module state
 * survives), up to `min(reservedConcurrency, defaultConcurrency)`
 * concurrent workers per function. A timed-out or crashed worker is replaced by the next invocation.
 *
 * @example
 * const lambdas = createLambdaInvoker(stack, { dynamoDbEndpoint: 'http://127.0.0.1:8000', apiPorts });
 * const result = await lambdas.invoke('EchoFn1FE89C3B', event);
 * await lambdas.close();
 */
export function createLambdaInvoker(stack: StackModel, opts: LambdaInvokerOptions = {}): LocalLambdaInvoker {
  const region = opts.region ?? DEFAULT_REGION;
  const resolveEnv =
    opts.resolveEnvironment ??
    ((fn: FunctionModel) =>
      resolveEnvironment(fn, stack, {
        region,
        apiPorts: opts.apiPorts ?? {},
        ...(opts.host === undefined ? {} : { host: opts.host }),
        ...(opts.servicesEndpoint === undefined ? {} : { servicesEndpoint: opts.servicesEndpoint }),
      }));
  const pools = new Map<string, FunctionPool>();
  const taskRoots = new TaskRoots(opts.sdkSources === undefined ? {} : { sdkSources: opts.sdkSources });
  const warned = new Set<string>();
  let closed = false;

  const warnOnRuntimeMismatch = (fn: FunctionModel): void => {
    const declared = runtimeNodeMajor(fn.runtime);
    const host = Number(process.versions.node.split('.')[0]);
    if (declared === undefined || declared === host || warned.has(fn.runtime)) return;
    warned.add(fn.runtime);
    opts.onWarning?.(
      `functions declare ${fn.runtime} but this host runs Node.js ${process.versions.node}: ` +
        `they run on the host's Node.js ${host}, so behaviour that differs between the two versions will differ`,
    );
  };

  for (const fn of stack.functions.values()) warnOnRuntimeMismatch(fn);

  const specOf = (fn: FunctionModel): WorkerSpec => {
    const taskRoot = taskRoots.taskRootOf(fn.codeDir);
    const location = locateHandler(taskRoot, fn.handler);
    const logGroupName = `/aws/lambda/${fn.functionName}`;
    const stream = logStreamName();
    return {
      timeoutSeconds: fn.timeoutSeconds,
      cwd: taskRoot,
      execArgv: lambdaNodeFlags(fn.memoryMB),
      env: lambdaEnvironment(fn, resolveEnv(fn), {
        region,
        taskRoot,
        logGroupName,
        logStreamName: stream,
        ...(opts.dynamoDbEndpoint === undefined ? {} : { dynamoDbEndpoint: opts.dynamoDbEndpoint }),
        ...(opts.servicesEndpoint === undefined ? {} : { servicesEndpoint: opts.servicesEndpoint }),
        ...(opts.env === undefined ? {} : { extra: opts.env }),
      }),
      boot: {
        ...location,
        functionName: fn.functionName,
        functionVersion: '$LATEST',
        memoryLimitInMB: String(fn.memoryMB),
        invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`,
        logGroupName,
        logStreamName: stream,
      },
    };
  };

  const poolOf = (fn: FunctionModel): FunctionPool => {
    let pool = pools.get(fn.logicalId);
    if (pool === undefined) {
      const onLog = opts.onLog;
      pool = new FunctionPool(
        () => specOf(fn),
        Math.min(
          fn.reservedConcurrency ?? Number.POSITIVE_INFINITY,
          opts.defaultConcurrency ?? DEFAULT_CONCURRENCY,
        ),
        onLog === undefined ? () => {} : (line) => onLog(fn.logicalId, line),
      );
      pools.set(fn.logicalId, pool);
    }
    return pool;
  };

  return {
    async invoke(functionId: string, event: unknown): Promise<InvokeResult> {
      if (closed) return errorResult('Runtime.Closed', 'The Lambda runtime is shut down');
      const fn = stack.functions.get(functionId);
      if (fn === undefined) {
        return errorResult(
          'ResourceNotFoundException',
          `Function not found: ${functionId} (no runnable AWS::Lambda::Function with that logical id in ${stack.stackName})`,
        );
      }
      let json: string;
      try {
        json = JSON.stringify(event ?? null);
      } catch (error) {
        return errorResult(
          'InvalidRequestContentException',
          `The event is not JSON: ${(error as Error).message}`,
        );
      }
      return poolOf(fn).invoke(json, randomUUID());
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      taskRoots.dispose();
    },
    stats(): Record<string, PoolStats> {
      return Object.fromEntries([...pools].map(([id, pool]) => [id, pool.stats()]));
    },
  };
}
