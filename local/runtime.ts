/**
 * The offline runtime: serves a synthesized CDK app (its WebSocket APIs, Lambda functions and DynamoDB tables)
 * on 127.0.0.1, with no AWS account and no Docker. `npm start` is a thin CLI over {@link startRuntime}.
 *
 * @module
 */
import { dirname, join } from 'node:path';
import { loadAssembly, resolveValue } from './assembly/index.js';
import { devTokenSignerFor } from './auth/dev-token.js';
import { DEV_CLAIMS } from './auth/tokens.js';
import { type RunningDemoServer, startDemoServer } from './demo/server.js';
import { createTables, type DynamoEngine, startDynamo, startTtlSweeper } from './dynamodb/index.js';
import { type StreamSource, startStreams } from './dynamodb/streams.js';
import { type RunningGateway, startGateway } from './gateway/index.js';
import type { ManagementFault } from './gateway/management-api.js';
import { createLambdaInvoker } from './lambda/index.js';
import { type InvocableFunction, lambdaApiService } from './lambda-api/index.js';
import type { InvocationLog, InvokeResult, LambdaInvoker, StackModel, WebSocketApiModel } from './model.js';
import { secretsManagerService } from './secrets/service.js';
import { DEFAULT_STATE_DIR, loadSecrets } from './secrets/vault.js';
import { type RunningServices, startServices } from './services/server.js';
import { startSqs } from './sqs/index.js';

/** The port of the first WebSocket API when none is given (what `sam local` and serverless-offline use). */
export const DEFAULT_PORT = 3001;
/** The port of the demo page when none is given. */
export const DEFAULT_DEMO_PORT = 3000;
/** The port of the services endpoint (SQS, Secrets Manager, Lambda Invoke) `npm start` uses. */
export const DEFAULT_SERVICES_PORT = 3002;
/** How often expired items are deleted; DynamoDB itself takes minutes to days, so nothing relies on speed. */
export const DEFAULT_TTL_SWEEP_INTERVAL_MS = 30_000;

/** One line a function wrote to stdout or stderr. */
export interface FunctionLogLine {
  readonly stackName: string;
  /** Logical id of the function in its stack. */
  readonly functionId: string;
  /** The deployed name (`FunctionName`, or `<stackName>-<logicalId>`). */
  readonly functionName: string;
  readonly line: string;
}

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** A cloud assembly directory (`cdk.out`) of any CDK app with at least one WebSocket API. */
  readonly cdkOut: string;
  /**
   * Port of the first WebSocket API; each further API gets the next port. 0 gives every API a random free port.
   * @default 3001
   */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Port of the services endpoint (SQS, Secrets Manager and the Lambda Invoke API); `npm start` passes
   * {@link DEFAULT_SERVICES_PORT} so scripts can find it.
   * @default 0 (a free port)
   */
  readonly servicesPort?: number;
  /** @default { engine: 'dynalite' } (in memory) */
  readonly dynamodb?: {
    readonly engine: DynamoEngine;
    /** Required for the `external` engine. */
    readonly endpoint?: string;
    /** Keep the tables on disk here. @default in memory */
    readonly persistDir?: string;
  };
  /** @default 30 000 */
  readonly ttlSweepIntervalMs?: number;
  /** @default 600 000 (API Gateway: 10 min) */
  readonly idleTimeoutMs?: number;
  /** @default 7 200 000 (API Gateway: 2 h) */
  readonly maxConnectionMs?: number;
  /**
   * Most concurrent workers per function (a lower reserved concurrency in the template lowers it further);
   * invocations beyond it queue. @default max(2, number of cores)
   */
  readonly functionConcurrency?: number;
  /**
   * Variables set on every function after the template's own (they win), e.g. `{ FANOUT_INLINE_LIMIT: '0' }`
   * to send every fan-out through the queue. @default none
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** `AWS_REGION` of the functions and the region in ARNs and URLs. @default 'us-east-1' */
  readonly region?: string;
  /** Called once per Lambda invocation (routes, `$connect`, authorizers, `$disconnect`, queue pollers). */
  readonly onInvocation?: (log: InvocationLog) => void;
  /** Called with each line a function writes. @default discard */
  readonly onFunctionLog?: (log: FunctionLogLine) => void;
  /**
   * Serve the demo page (`web/`) on this port (0: a free one), connected to the first WebSocket API.
   * @default no demo page
   */
  readonly demo?: { readonly port: number };
  /**
   * Where local state that must survive a restart is kept (the generated values of the template's Secrets
   * Manager secrets, hence the dev token's signing key).
   * @default '.realtime-local' in the working directory
   */
  readonly stateDir?: string;
  /**
   * Fails chosen `@connections` requests with a 429 or 5xx (see {@link ManagementFault}), to rehearse how the
   * functions take throttling and outages. @default serve every request
   */
  readonly managementFault?: ManagementFault;
  /** Called once per warning, e.g. a function's declared Node.js runtime differs from the host's. @default discard */
  readonly onWarning?: (message: string) => void;
}

/** One served WebSocket API. */
export interface RuntimeApi {
  readonly stackName: string;
  readonly name: string;
  readonly stage: string;
  readonly port: number;
  /** `ws://127.0.0.1:<port>`: where clients connect. */
  readonly url: string;
  /**
   * `http://127.0.0.1:<port>/<stage>`: the stage's callback URL, i.e. the endpoint an
   * `ApiGatewayManagementApiClient` takes (it appends `/@connections/{id}` itself), as the stack's
   * `ManagementUrl` output is in AWS.
   */
  readonly managementUrl: string;
  /**
   * A development token valid for this session with every grant, when the API's `$connect` authorizer is the
   * product's HMAC authorizer (the runtime holds its secret). Absent for APIs without one.
   */
  readonly devToken?: string;
  /**
   * Signs a development token like {@link devToken} (every grant, 24 h) for another user id, so tests and
   * benchmarks can connect as many distinct users (each user may hold only `MAX_CONNECTIONS_PER_USER`
   * connections). Present exactly when `devToken` is.
   */
  readonly tokenFor?: (sub: string) => Promise<string>;
}

/** One table created from a template. */
export interface RuntimeTable {
  readonly stackName: string;
  readonly tableName: string;
}

/** A started runtime. */
export interface RunningRuntime {
  readonly apis: readonly RuntimeApi[];
  readonly tables: readonly RuntimeTable[];
  readonly dynamodb: { readonly engine: DynamoEngine; readonly endpoint: string };
  /**
   * The emulated AWS services other than DynamoDB and the Management API (SQS, Secrets Manager, Lambda
   * Invoke), on one endpoint: what `AWS_ENDPOINT_URL_SQS` and friends point at.
   */
  readonly services: Pick<RunningServices, 'endpoint'>;
  /** The template's SQS queues, served on the services endpoint. */
  readonly queues: readonly { readonly name: string; readonly url: string }[];
  /** The demo page, when asked for. */
  readonly demo?: { readonly url: string };
  /**
   * Closes the gateways (every socket gets 1001 and its `$disconnect` runs), then the queue pollers (waiting for
   * their invocations in flight), the table streams (records not yet delivered are dropped), the Lambda
   * workers, the services endpoint, the TTL sweeper and DynamoDB, in that order; idempotent.
   */
  close(): Promise<void>;
}

/** The assembly has nothing to serve. */
export class NoWebSocketApiError extends Error {
  override readonly name = 'NoWebSocketApiError';

  constructor(readonly assemblyDir: string) {
    super(`No WebSocket API (AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET) in ${assemblyDir}`);
  }
}

/**
 * Loads the assembly and serves it: DynamoDB with the template's tables, one gateway per WebSocket API, a warm
 * Lambda pool per stack whose environments point at the local gateway and DynamoDB, the TTL sweeper, the
 * streams that turn its deletions into records for the stack's event source mappings, and the template's SQS
 * queues with pollers for the mappings on them.
 * Whatever started is stopped again when a later step fails.
 *
 * @throws NoWebSocketApiError, the assembly reader's `AssemblyError`/`ResolveError`, the gateway's
 *   `PortInUseError`, `DynamoEngineError`.
 * @example
 * const runtime = await startRuntime({ cdkOut: 'cdk.out', port: 0 });
 * console.log(runtime.apis[0]?.url); // ws://127.0.0.1:40123
 * await runtime.close();
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const app = await loadAssembly(options.cdkOut);
  const served = app.stacks.flatMap((stack) => stack.apis.map((api) => ({ stack, api })));
  if (served.length === 0) throw new NoWebSocketApiError(app.assemblyDir);
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const basePort = options.port ?? DEFAULT_PORT;

  const shutdown = new ShutdownSequence();
  const invokers = new LateBound<ReadonlyMap<StackModel, LambdaInvoker>>();
  try {
    const dynamo = await startDynamo({ engine: 'dynalite', ...options.dynamodb });
    shutdown.add('dynamodb', () => dynamo.close());
    const services = await startServices({ host, port: options.servicesPort ?? 0 });
    shutdown.add('services', () => services.close());
    // SQS: the template's queues on the services endpoint, and pollers for the mappings on them.
    const sqs = startSqs({
      stacks: app.stacks,
      services,
      region,
      invoke: async (stack, functionId, event) => invokeIn(await invokers.get(), stack, functionId, event),
      ...(options.functionConcurrency !== undefined && { functionConcurrency: options.functionConcurrency }),
      ...(options.onInvocation !== undefined && { onInvocation: options.onInvocation }),
      ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
    });
    shutdown.add('queues', () => sqs.stop());
    // The Lambda Invoke API: the template's functions, once their invokers exist (until then, none).
    const invocable: InvocableFunction[] = [];
    services.register(
      lambdaApiService({
        functions: () => invocable,
        region,
        ...(options.onWarning !== undefined && {
          onEventError: (name: string, error: string) =>
            options.onWarning?.(`asynchronous invocation of ${name} failed: ${error}`),
        }),
      }),
    );
    const tables: RuntimeTable[] = [];
    for (const stack of app.stacks) {
      const created = await createTables(dynamo.endpoint, stack.tables);
      tables.push(...created.map(({ tableName }) => ({ stackName: stack.stackName, tableName })));
    }
    // Table streams: the sweeper's deletions become TTL `REMOVE` records for the event source mappings.
    const streams = startStreams({
      sources: app.stacks.flatMap((stack) => streamSourcesOf(stack, region, invokers)),
      region,
      ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
    });
    shutdown.add('streams', () => streams.stop());
    const sweeper = startTtlSweeper({
      endpoint: dynamo.endpoint,
      tables: app.stacks.flatMap((stack) => stack.tables),
      intervalMs: options.ttlSweepIntervalMs ?? DEFAULT_TTL_SWEEP_INTERVAL_MS,
      onExpired: (table, oldImages) => streams.onExpired(table, oldImages),
    });
    shutdown.add('sweeper', () => sweeper.stop());

    // Gateways first, so their ports are known when function environments are resolved; until the invokers
    // exist, an early connection waits for them.
    const gateways: { stack: StackModel; api: WebSocketApiModel; gateway: RunningGateway }[] = [];
    for (const [index, { stack, api }] of served.entries()) {
      const gateway = await startGateway({
        api,
        invoke: async (functionId, event) => invokeIn(await invokers.get(), stack, functionId, event),
        host,
        port: basePort === 0 ? 0 : basePort + index,
        region,
        ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
        ...(options.maxConnectionMs !== undefined && { maxConnectionMs: options.maxConnectionMs }),
        ...(options.onInvocation !== undefined && { onInvocation: options.onInvocation }),
        ...(options.managementFault !== undefined && { managementFault: options.managementFault }),
      });
      gateways.push({ stack, api, gateway });
      shutdown.add('gateway', () => gateway.close());
    }

    const apiPorts = new Map(gateways.map(({ api, gateway }) => [api.apiId, gateway.port]));
    const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
    const secrets = await loadSecrets(app.stacks, { region, host, apiPorts, stateDir });
    services.register(secretsManagerService(secrets));
    const signers = gateways.map(({ stack, api }) =>
      devTokenSignerFor(stack, api, secrets, { region, host, apiPorts }),
    );
    const devTokens = await Promise.all(signers.map((sign) => sign?.(DEV_CLAIMS.sub)));
    // Lambda provides the AWS SDK to bundles that leave it out; prefer the app project's own copy.
    const sdkSources = [join(dirname(app.assemblyDir), 'node_modules')];
    const byStack = new Map<StackModel, LambdaInvoker>();
    for (const stack of app.stacks) {
      const onFunctionLog = options.onFunctionLog;
      const invoker = createLambdaInvoker(stack, {
        region,
        host,
        apiPorts,
        dynamoDbEndpoint: dynamo.endpoint,
        servicesEndpoint: services.endpoint,
        sdkSources,
        ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
        ...(options.functionConcurrency !== undefined && { defaultConcurrency: options.functionConcurrency }),
        ...(options.functionEnvironment !== undefined && { env: options.functionEnvironment }),
        ...(onFunctionLog !== undefined && {
          onLog: (functionId: string, line: string) =>
            onFunctionLog({
              stackName: stack.stackName,
              functionId,
              functionName: stack.functions.get(functionId)?.functionName ?? functionId,
              line,
            }),
        }),
      });
      byStack.set(stack, invoker);
      shutdown.add('lambda', () => invoker.close());
    }
    invokers.set(byStack);
    for (const stack of app.stacks) {
      for (const fn of stack.functions.values()) {
        invocable.push({
          functionName: fn.functionName,
          runtime: fn.runtime,
          handler: fn.handler,
          timeoutSeconds: fn.timeoutSeconds,
          memoryMB: fn.memoryMB,
          invoke: (event) => invokeIn(byStack, stack, fn.logicalId, event),
        });
      }
    }

    let demo: RunningDemoServer | undefined;
    const firstApi = gateways[0];
    if (options.demo !== undefined && firstApi !== undefined) {
      const token = devTokens[0];
      const tokenFor = signers[0];
      demo = await startDemoServer({
        host,
        port: options.demo.port,
        websocketUrl: firstApi.gateway.url,
        ...(token !== undefined && { token }),
        // Each browser its own user: with auth on, a connection's clientId is its token's user.
        ...(tokenFor !== undefined && { tokenFor }),
      });
      shutdown.add('demo', () => demo?.close() ?? Promise.resolve());
    }

    return {
      apis: gateways.map(({ stack, api, gateway }, index) => ({
        stackName: stack.stackName,
        name: api.name,
        stage: api.stageName,
        port: gateway.port,
        url: gateway.url,
        managementUrl: gateway.managementUrl,
        ...(devTokens[index] !== undefined && { devToken: devTokens[index] }),
        ...(signers[index] !== undefined && { tokenFor: signers[index] }),
      })),
      tables,
      dynamodb: { engine: dynamo.engine, endpoint: dynamo.endpoint },
      services: { endpoint: services.endpoint },
      queues: sqs.registry.queues.map(({ config }) => ({ name: config.name, url: config.url })),
      ...(demo === undefined ? {} : { demo: { url: demo.url } }),
      close: () => shutdown.run(),
    };
  } catch (error) {
    // A connection that arrived before the failure must not wait forever for invokers that will never exist.
    invokers.set(new Map());
    await shutdown.run().catch(() => {});
    throw error;
  }
}

/** The tables of a stack that have event source mappings on their stream, with how to invoke their functions. */
function streamSourcesOf(
  stack: StackModel,
  region: string,
  invokers: LateBound<ReadonlyMap<StackModel, LambdaInvoker>>,
): StreamSource[] {
  const mappings = stack.eventSourceMappings ?? [];
  return stack.tables.flatMap((table) => {
    const onTable = mappings.filter((mapping) => mapping.tableLogicalId === table.logicalId);
    if (onTable.length === 0) return [];
    const streamArn = resolveValue(
      { 'Fn::GetAtt': [table.logicalId, 'StreamArn'] },
      { stack, region, apiPorts: new Map() },
    );
    return [
      {
        table,
        streamArn,
        mappings: onTable,
        invoke: async (functionId: string, event: unknown) =>
          invokeIn(await invokers.get(), stack, functionId, event),
      },
    ];
  });
}

function invokeIn(
  invokers: ReadonlyMap<StackModel, LambdaInvoker>,
  stack: StackModel,
  functionId: string,
  event: unknown,
): Promise<InvokeResult> {
  const invoker = invokers.get(stack);
  if (invoker === undefined) throw new Error(`no Lambda invoker for stack ${stack.stackName}`);
  return invoker.invoke(functionId, event);
}

/** A value that is set once (the first `set` wins), after the things that need it were created. */
class LateBound<T> {
  private resolve: ((value: T) => void) | undefined;
  private readonly value = new Promise<T>((resolve) => {
    this.resolve = resolve;
  });

  get(): Promise<T> {
    return this.value;
  }

  set(value: T): void {
    this.resolve?.(value);
  }
}

/** The order things stop in, whatever order they started in. */
const STOP_ORDER = [
  'demo',
  'gateway',
  'queues',
  'streams',
  'lambda',
  'services',
  'sweeper',
  'dynamodb',
] as const;

/** Collects what was started and stops it in {@link STOP_ORDER}, each group in parallel; runs once. */
class ShutdownSequence {
  private readonly steps = new Map<(typeof STOP_ORDER)[number], (() => Promise<void>)[]>();
  private running: Promise<void> | undefined;

  add(kind: (typeof STOP_ORDER)[number], stop: () => Promise<void>): void {
    const group = this.steps.get(kind) ?? [];
    group.push(stop);
    this.steps.set(kind, group);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      const failures: unknown[] = [];
      for (const kind of STOP_ORDER) {
        const results = await Promise.allSettled((this.steps.get(kind) ?? []).map((stop) => stop()));
        for (const result of results) if (result.status === 'rejected') failures.push(result.reason);
      }
      if (failures.length > 0) throw new AggregateError(failures, 'the offline runtime did not stop cleanly');
    })();
    return this.running;
  }
}
