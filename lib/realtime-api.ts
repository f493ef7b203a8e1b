/**
 * The `RealtimeApi` construct: an API Gateway WebSocket API whose routes each run one bundled Lambda handler,
 * one DynamoDB table for connections and subscriptions, and least-privilege grants between them.
 *
 * @module
 */
import { Stack, Tokenization } from 'aws-cdk-lib';
import {
  type CfnStage,
  LogGroupLogDestination,
  WebSocketApi,
  type WebSocketRoute,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_RATE_LIMIT } from '../lambdas/core/rate-limit.js';
import { websocketAccessLogFormat } from './access-log-format.js';
import { ApiGatewayAccount } from './api-gateway-account.js';
import { RealtimeAuth } from './auth.js';
import { createConnectionsTable } from './connections-table.js';
import { FanOutQueue, fanOutQueueSettings } from './fan-out-queue.js';
import { Observability } from './observability.js';
import { handlerEntry } from './paths.js';
import { Publisher } from './publisher.js';
import {
  type RealtimeApiProps,
  type ResolvedRealtimeApiProps,
  resolveRealtimeApiProps,
} from './realtime-api-props.js';
import { createReaper } from './reaper.js';
import { RouteFunction } from './route-function.js';
import { grantRouteAccess } from './route-grants.js';
import { routeSettingsOf } from './route-throttles.js';
import { ROUTES, type RouteDefinition } from './routes.js';

/** API Gateway reads `action` from each JSON frame to pick the route; anything else goes to `$default`. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/**
 * A real-time WebSocket API: routes `$connect`, `$disconnect`, `$default`, `sendmessage`, `subscribe`,
 * `unsubscribe`, `publish` and `ping`, each backed by its own function from `lambdas/handlers/`.
 *
 * @example
 * const realtime = new RealtimeApi(stack, 'RealtimeApi', { stageName: 'dev', removalPolicy: RemovalPolicy.DESTROY });
 * new CfnOutput(stack, 'WebSocketUrl', { value: realtime.url });
 */
export class RealtimeApi extends Construct {
  readonly #publisher: Publisher;
  /** The WebSocket API. */
  public readonly api: WebSocketApi;
  /** The (auto-deployed) stage clients connect to. */
  public readonly stage: WebSocketStage;
  /** The connections/subscriptions table. */
  public readonly table: TableV2;
  /** Each route's function, keyed by handler name (`connect`, `publish`, …). */
  public readonly functions: Readonly<Record<string, NodejsFunction>>;
  /** Each route, keyed by route key (`$connect`, `publish`, …). */
  public readonly routes: Readonly<Record<string, WebSocketRoute>>;
  /** `wss://…/<stage>`: what clients connect to. */
  public readonly url: string;
  /** `https://…/<stage>`: the `@connections` endpoint the functions post replies and fan-out to. */
  public readonly callbackUrl: string;
  /** The function that announces the `leave` of presence items deleted by TTL, from the table's stream. */
  public readonly reaper: NodejsFunction;
  /** The function a backend invokes to publish to a channel or a user without a socket (see {@link grantPublish}). */
  public readonly publisher: NodejsFunction;
  /** The queued fan-out: queue, dead-letter queue and its alarm, worker. */
  public readonly fanOutQueue: FanOutQueue;
  /** The region-wide logging role setting, when {@link RealtimeApiProps.cloudWatchRole} is on (default off). */
  public readonly apiGatewayAccount?: ApiGatewayAccount;
  /** The `$connect` authorizer (and its secret), unless {@link RealtimeApiProps.auth} is `false`. */
  public readonly auth?: RealtimeAuth;
  /** Alarms, the optional alarm topic and the dashboard, unless {@link RealtimeApiProps.observability} is off. */
  public readonly observability?: Observability;

  constructor(scope: Construct, id: string, props: RealtimeApiProps = {}) {
    super(scope, id);
    const settings = resolveRealtimeApiProps(props);

    this.table = createConnectionsTable(this, 'Table', { removalPolicy: settings.removalPolicy });
    this.api = new WebSocketApi(this, 'WebSocketApi', {
      apiName: Stack.of(this).stackName,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      description:
        'Real-time WebSocket API: channels, history, presence, leaderboards, broadcast and heartbeat',
    });
    this.apiGatewayAccount = settings.cloudWatchRole
      ? new ApiGatewayAccount(this, 'ApiGatewayAccount')
      : undefined;
    this.stage = this.createStage(settings);
    if (this.apiGatewayAccount) {
      // The stage enables access logging, which API Gateway refuses until the account setting exists.
      this.stage.node.addDependency(this.apiGatewayAccount);
    }
    this.url = this.stage.url;
    this.callbackUrl = this.stage.callbackUrl;

    this.auth =
      settings.auth === false
        ? undefined
        : new RealtimeAuth(this, 'Auth', {
            auth: settings.auth,
            timeout: settings.timeout,
            memorySize: settings.memorySize,
            logRetention: settings.logRetention,
            removalPolicy: settings.removalPolicy,
            environment: this.loggingEnvironment(settings),
          });

    const functions: Record<string, NodejsFunction> = {};
    const routes: Record<string, WebSocketRoute> = {};
    for (const definition of ROUTES) {
      const { route, handler } = this.addRoute(definition, settings);
      functions[definition.handler] = handler;
      routes[definition.routeKey] = route;
    }
    this.functions = Object.freeze(functions);
    this.routes = Object.freeze(routes);
    // API Gateway refuses a stage whose RouteSettings name a route it does not have yet ("Unable to find Route
    // by key"): the stage waits for the routes it throttles.
    for (const routeKey of Object.keys(routeSettingsOf(settings.routeThrottles) ?? {})) {
      const throttled = routes[routeKey];
      if (throttled !== undefined) this.stage.node.addDependency(throttled);
    }

    // The reaper and the publisher fan out like the fan-out routes, outside any route.
    const fanOutFunction = {
      table: this.table,
      stage: this.stage,
      timeout: settings.fanOutTimeout,
      memorySize: settings.memorySize,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
      environment: this.functionEnvironment(settings),
    };
    this.reaper = createReaper(this, 'Reaper', fanOutFunction).function;
    this.#publisher = new Publisher(this, 'Publisher', fanOutFunction);
    this.publisher = this.#publisher.function;

    this.fanOutQueue = new FanOutQueue(this, 'FanOut', {
      ...fanOutQueueSettings(settings),
      table: this.table,
      stage: this.stage,
      environment: this.functionEnvironment(settings),
    });
    // Every function that fans out hands large audiences, and what its deadline leaves, to the queue.
    for (const definition of ROUTES.filter((route) => route.fanOut)) {
      this.fanOutQueue.attachRoute(functions[definition.handler] as NodejsFunction);
    }
    this.fanOutQueue.attachRoute(this.publisher);
    this.fanOutQueue.attachRoute(this.reaper);

    if (settings.observability !== false) {
      this.observability = new Observability(this, 'Observability', {
        ...(settings.observability === true ? {} : settings.observability),
        api: this.api,
        stage: this.stage,
        functions: {
          ...this.functions,
          reaper: this.reaper,
          publisher: this.publisher,
          fanOutWorker: this.fanOutQueue.worker,
          // Not the authorizer: it fails every refused handshake by design (API Gateway's 401), so its errors
          // count strangers, not faults.
        },
        metricsNamespace: settings.metricsNamespace,
        serviceName: settings.serviceName,
        removalPolicy: settings.removalPolicy,
      });
      this.observability.notifyOn(this.fanOutQueue.deadLetterAlarm);
    }
  }

  /**
   * Lets `grantee` (a role, a function, a user) publish from the backend: `lambda:InvokeFunction` on the
   * publisher function only.
   *
   * @example
   * realtime.grantPublish(orderService); // then Invoke the PublishFunctionName output with { channel, data }
   */
  grantPublish(grantee: IGrantable): Grant {
    return this.#publisher.grantPublish(grantee);
  }

  /** What every function logs with. */
  private loggingEnvironment(settings: ResolvedRealtimeApiProps): Record<string, string> {
    return {
      POWERTOOLS_SERVICE_NAME: settings.serviceName,
      METRICS_NAMESPACE: settings.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
  }

  /**
   * The environment of every route function: the table, the callback URL, the limits, whether routes check
   * grants (`AUTH_ENABLED`), the public channels and the logging settings.
   */
  private functionEnvironment(settings: ResolvedRealtimeApiProps): Record<string, string> {
    return {
      TABLE_NAME: this.table.tableName,
      CALLBACK_URL: this.callbackUrl,
      // A plain number as its digits; a token (e.g. a CfnParameter's valueAsNumber) as its reference.
      FANOUT_CONCURRENCY: Tokenization.stringifyNumber(settings.fanOutConcurrency),
      HISTORY_SIZE: Tokenization.stringifyNumber(settings.historySize),
      LEADERBOARD_SIZE: Tokenization.stringifyNumber(settings.leaderboardSize),
      RATE_LIMIT_PER_SECOND: Tokenization.stringifyNumber(settings.rateLimit.perSecond),
      RATE_LIMIT_BURST: Tokenization.stringifyNumber(settings.rateLimit.burst),
      MAX_SUBSCRIPTIONS_PER_CONNECTION: Tokenization.stringifyNumber(settings.maxSubscriptionsPerConnection),
      RATE_LIMIT_CLOSE_AFTER: Tokenization.stringifyNumber(
        settings.rateLimit.closeAfter ?? DEFAULT_RATE_LIMIT.closeAfter,
      ),
      AUTH_ENABLED: String(settings.auth !== false),
      PUBLIC_CHANNELS: settings.publicChannels.join(','),
      MAX_CONNECTIONS_PER_USER: Tokenization.stringifyNumber(settings.maxConnectionsPerUser),
      ...this.loggingEnvironment(settings),
    };
  }

  private createStage(settings: ResolvedRealtimeApiProps): WebSocketStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: settings.stageName,
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: websocketAccessLogFormat(),
      },
    });
    // WebSocketStage sets only the default route throttling; per-route throttles go on the L1 stage.
    const routeSettings = routeSettingsOf(settings.routeThrottles);
    if (routeSettings !== undefined) (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    return stage;
  }

  private addRoute(
    route: RouteDefinition,
    settings: ResolvedRealtimeApiProps,
  ): { route: WebSocketRoute; handler: NodejsFunction } {
    const routeFunction = new RouteFunction(this, route.id, {
      entry: handlerEntry(route.handler),
      description: `WebSocket route ${route.routeKey}`,
      timeout: route.fanOut ? settings.fanOutTimeout : settings.timeout,
      memorySize: settings.memorySize,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
      environment: this.functionEnvironment(settings),
    });
    grantRouteAccess(routeFunction.function, route.access, { table: this.table, stage: this.stage });
    const webSocketRoute = this.api.addRoute(route.routeKey, {
      integration: new WebSocketLambdaIntegration(`${route.id}Integration`, routeFunction.function),
      returnResponse: route.twoWay,
      // API Gateway authorizes a WebSocket connection once, at $connect; other routes cannot have an authorizer.
      ...(route.routeKey === '$connect' && this.auth ? { authorizer: this.auth.authorizer } : {}),
    });
    return { route: webSocketRoute, handler: routeFunction.function };
  }
}
