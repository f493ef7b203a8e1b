/**
 * The contract between the parts of the offline runtime: what the assembly reader produces and what the
 * gateway, the Lambda pool, the DynamoDB module and the CLI consume.
 *
 * @module
 */

/** A CloudFormation value as it appears in a template: a literal or an intrinsic function object. */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

/** A Lambda REQUEST authorizer attached to a `$connect` route. */
export interface AuthorizerModel {
  /** Logical id of the `AWS::ApiGatewayV2::Authorizer`. */
  readonly logicalId: string;
  readonly name: string;
  /** Logical id of the `AWS::Lambda::Function` that authorizes. */
  readonly functionId: string;
  /** e.g. `route.request.header.Authorization`, `route.request.querystring.token`. */
  readonly identitySources: readonly string[];
}

/** One route of a WebSocket API, already joined to the function its integration invokes. */
export interface RouteModel {
  /** `$connect`, `$disconnect`, `$default` or a custom key such as `subscribe`. */
  readonly routeKey: string;
  /** Logical id of the `AWS::Lambda::Function` behind the route's integration. */
  readonly functionId: string;
  /** True when the route has a route response (`AWS::ApiGatewayV2::RouteResponse`): its body goes back to the caller. */
  readonly twoWay: boolean;
  readonly authorizer?: AuthorizerModel;
}

/** A throttle's limits as a stage's route settings give them (`ThrottlingRateLimit`, `ThrottlingBurstLimit`). */
export interface ThrottleModel {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** One `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`, with its first stage. */
export interface WebSocketApiModel {
  readonly logicalId: string;
  /** The id used locally in event `requestContext.apiId` (deterministic, 10 lowercase chars). */
  readonly apiId: string;
  readonly name: string;
  /** e.g. `$request.body.action`. */
  readonly routeSelectionExpression: string;
  readonly stageName: string;
  readonly stageLogicalId?: string;
  /** The stage's default route throttling (`DefaultRouteSettings`). */
  readonly throttle?: ThrottleModel;
  /** Routes with throttling of their own (`RouteSettings`), by route key: each replaces the default for its route. */
  readonly routeThrottles?: Readonly<Record<string, ThrottleModel>>;
  readonly routes: readonly RouteModel[];
}

/** One `AWS::Lambda::Function` whose code is a bundled asset directory in the cloud assembly. */
export interface FunctionModel {
  readonly logicalId: string;
  /** `FunctionName` if the template sets one, otherwise `<stackName>-<logicalId>`. */
  readonly functionName: string;
  /** Absolute path of the asset directory (from the `aws:asset:path` metadata). */
  readonly codeDir: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMB: number;
  readonly reservedConcurrency?: number;
  /** `Environment.Variables`, unresolved (may hold `Ref`, `Fn::GetAtt`, `Fn::Join`, …). */
  readonly environment: Readonly<Record<string, TemplateValue>>;
}

/** Key schema element, as in CloudFormation / the DynamoDB API. */
export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

/** A global or local secondary index, in DynamoDB `CreateTable` terms. */
export interface SecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeyElement[];
  readonly Projection: {
    readonly ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    readonly NonKeyAttributes?: readonly string[];
  };
}

/** One `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable`, in DynamoDB `CreateTable` terms. */
export interface TableModel {
  readonly logicalId: string;
  /** `TableName` if the template sets one, otherwise `<stackName>-<logicalId>`. */
  readonly tableName: string;
  readonly keySchema: readonly KeyElement[];
  readonly attributeDefinitions: readonly {
    readonly AttributeName: string;
    readonly AttributeType: 'S' | 'N' | 'B';
  }[];
  readonly globalSecondaryIndexes: readonly SecondaryIndex[];
  readonly localSecondaryIndexes: readonly SecondaryIndex[];
  /** The TTL attribute name when `TimeToLiveSpecification.Enabled` is true. */
  readonly ttlAttribute?: string;
}

/** Everything the runtime needs from one cloud assembly. */
export interface AppModel {
  /** Absolute path of the cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  readonly stacks: readonly StackModel[];
}

/** One stack of the assembly. Logical ids are unique within a stack only. */
export interface StackModel {
  readonly stackName: string;
  readonly apis: readonly WebSocketApiModel[];
  readonly functions: ReadonlyMap<string, FunctionModel>;
  readonly tables: readonly TableModel[];
  /** The raw `Resources` section, for resolving intrinsics. */
  readonly resources: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, TemplateValue> }>
  >;
  /** The raw `Parameters` section, for resolving a `Ref` to a parameter (its `Default`). */
  readonly parameters?: Readonly<Record<string, { readonly Type: string; readonly Default?: TemplateValue }>>;
  /** Event source mappings on the streams of the stack's tables (optional: hand-built models may omit it). */
  readonly eventSourceMappings?: readonly EventSourceMappingModel[];
  /** The stack's `AWS::SQS::Queue`s (optional: hand-built models may omit it). */
  readonly queues?: readonly QueueModel[];
  /** Event source mappings on the stack's queues (optional: hand-built models may omit it). */
  readonly queueEventSourceMappings?: readonly QueueEventSourceMappingModel[];
}

/** One `AWS::SQS::Queue`, with SQS's defaults applied. */
export interface QueueModel {
  readonly logicalId: string;
  /** `QueueName` if the template sets one, otherwise `<stackName>-<logicalId>` (`.fifo` appended for FIFO). */
  readonly queueName: string;
  /** `FifoQueue`: offline a FIFO queue is served as a standard queue (the runtime warns). */
  readonly fifo: boolean;
  /** @default 30 */
  readonly visibilityTimeoutSeconds: number;
  /** @default 345 600 (4 days) */
  readonly messageRetentionSeconds: number;
  /** @default 0 */
  readonly delaySeconds: number;
  /** Long polling of receives that do not set `WaitTimeSeconds`. @default 0 */
  readonly receiveMessageWaitTimeSeconds: number;
  /** @default 262 144 (256 KiB) */
  readonly maximumMessageSize: number;
  /** `RedrivePolicy`: where a message goes once it was received more than `maxReceiveCount` times. */
  readonly redrivePolicy?: {
    /** Name of the dead-letter queue (from `deadLetterTargetArn`, usually `Fn::GetAtt [dlq, Arn]`). */
    readonly deadLetterQueueName: string;
    readonly maxReceiveCount: number;
  };
}

/** One `AWS::Lambda::EventSourceMapping` whose `EventSourceArn` is a queue of the same stack. */
export interface QueueEventSourceMappingModel {
  readonly logicalId: string;
  /** Logical id of the `AWS::Lambda::Function` it invokes. */
  readonly functionId: string;
  /** Logical id of the `AWS::SQS::Queue` it polls. */
  readonly queueLogicalId: string;
  /** Most messages per invocation. @default 10 (Lambda's default for SQS) */
  readonly batchSize: number;
  /** How long to gather a batch before invoking with fewer than `batchSize` messages. @default 0 */
  readonly maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency`: most concurrent invocations by this mapping. @default unbounded */
  readonly maximumConcurrency?: number;
  /**
   * `FilterCriteria.Filters[].Pattern`, unparsed: a message passes when any matches (a message that passes
   * none is deleted without an invocation, as Lambda does for SQS). Optional: hand-built models may omit it.
   */
  readonly filterPatterns?: readonly string[];
  /** `Enabled` (default true). */
  readonly enabled: boolean;
}

/** What a local Lambda invocation returned. */
export type InvokeResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      /** `timeout` when the configured timeout was exceeded (the worker is replaced). */
      readonly kind: 'error' | 'timeout';
      readonly errorType: string;
      readonly errorMessage: string;
      readonly durationMs: number;
    };

/** Invokes the functions of one stack; each function runs in its own warm, bounded pool of workers. */
export interface LambdaInvoker {
  invoke(functionId: string, event: unknown): Promise<InvokeResult>;
  close(): Promise<void>;
}

/** One line of the runtime's invocation log. */
export interface InvocationLog {
  readonly api: string;
  readonly routeKey: string;
  readonly connectionId: string;
  readonly functionId: string;
  readonly durationMs: number;
  /** e.g. `200`, `rejected 401`, `error Error: boom`, `timeout`. */
  readonly outcome: string;
}

/**
 * One `AWS::Lambda::EventSourceMapping` on the stream of a table of the same stack (mappings on other sources,
 * e.g. SQS or Kinesis, are not read). Offline, only TTL deletions produce stream records (see
 * `local/dynamodb/streams.ts`).
 */
export interface EventSourceMappingModel {
  readonly logicalId: string;
  /** Logical id of the `AWS::Lambda::Function` it invokes. */
  readonly functionId: string;
  /** Logical id of the table whose stream it reads (`EventSourceArn: Fn::GetAtt [table, StreamArn]`). */
  readonly tableLogicalId: string;
  /** The table's `StreamSpecification.StreamViewType` (`KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES`). */
  readonly streamViewType: string;
  /** Most records per invocation. @default 100 (Lambda's default for DynamoDB streams) */
  readonly batchSize: number;
  /** Retries of a failed batch; -1 (Lambda's default) means until the record expires. */
  readonly maximumRetryAttempts: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
  /** `FilterCriteria.Filters[].Pattern`: the JSON event patterns, unparsed; a record passes when any matches. */
  readonly filterPatterns: readonly string[];
  /** `Enabled` (default true). */
  readonly enabled: boolean;
}
