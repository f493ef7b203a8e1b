/**
 * The queued fan-out (README "Fan-out"): an SQS queue of slices, its dead-letter queue with an alarm, and the
 * worker function that posts each slice, fed by an event source mapping with partial batch responses. The
 * fan-out routes that hand large audiences to the queue get its URL and may send to it; nothing else may.
 *
 * @module
 */
import { Duration, type RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerEntry } from './paths.js';
import type { ResolvedRealtimeApiProps } from './realtime-api-props.js';
import { RouteFunction } from './route-function.js';
import { grantRouteAccess } from './route-grants.js';
import type { RouteAccess } from './routes.js';

/** The worker's timeout: long enough for a slice of 2,000 posts with retries, short of SQS's patience. */
export const FANOUT_WORKER_TIMEOUT = Duration.seconds(30);

/** AWS advises a visibility timeout of at least 6 times the function's timeout for an SQS event source. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** How long dead-lettered slices are kept for inspection and redrive: SQS's maximum, 14 days. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * What the worker may do: read recipient pages (subscribers, broadcast shards, present members, a user's
 * connections), post to them, remove the gone ones and announce their `leave` (as every fan-out does). Queue permissions are granted by the event source and {@link FanOutQueue}.
 */
export const FANOUT_WORKER_ACCESS: RouteAccess = {
  table: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
  byConnectionIndex: ['dynamodb:Query'],
  rankIndex: [],
  // A user's connections, for the slices of a `sendtouser` that its deadline handed on.
  byUserIndex: ['dynamodb:Query'],
  manageConnections: true,
};

/** The queue's settings from the API's props (`fanOut*`). */
export const fanOutQueueSettings = (
  settings: ResolvedRealtimeApiProps,
): Omit<FanOutQueueProps, 'table' | 'stage' | 'environment'> => ({
  memorySize: settings.fanOutMemorySize,
  inlineLimit: settings.fanOutInlineLimit,
  batchSize: settings.fanOutBatchSize,
  maxConcurrency: settings.fanOutMaxConcurrency,
  maxReceiveCount: settings.fanOutMaxReceiveCount,
  logRetention: settings.logRetention,
  removalPolicy: settings.removalPolicy,
});

/** Properties of {@link FanOutQueue}. */
export interface FanOutQueueProps {
  readonly table: TableV2;
  readonly stage: WebSocketStage;
  /** The environment every function gets (table, callback URL, limits, logging). */
  readonly environment: Readonly<Record<string, string>>;
  /** The worker's memory, MB: at 256 MB a Lambda has a fraction of a vCPU, and posting is CPU-bound (SDK). */
  readonly memorySize: number;
  /** Audiences smaller than this stay inline (`FANOUT_INLINE_LIMIT` of the fan-out routes). */
  readonly inlineLimit: number;
  /** Slices per worker invocation. */
  readonly batchSize: number;
  /** Most worker invocations at once (the event source's maximum concurrency, 2–1000). */
  readonly maxConcurrency: number;
  /**
   * Attempts per recipient before the worker dead-letters it (`FANOUT_MAX_ATTEMPTS`), and receives of a slice
   * whose worker failed before posting before the queue dead-letters it.
   */
  readonly maxReceiveCount: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The fan-out queue, its DLQ and alarm, and the worker.
 *
 * @example
 * const fanOut = new FanOutQueue(this, 'FanOut', { table, stage, environment, memorySize: 1024, … });
 * fanOut.attachRoute(functions.publish);
 */
export class FanOutQueue extends Construct {
  /** The queue of slices (SSE, TLS only). */
  public readonly queue: Queue;
  /** Where a slice lands after `maxReceiveCount` failed receives, or its recipients after as many attempts. */
  public readonly deadLetterQueue: Queue;
  /** In alarm as soon as one slice is dead-lettered (recipients missed a message). */
  public readonly deadLetterAlarm: Alarm;
  /** The worker function. */
  public readonly worker: NodejsFunction;
  readonly #inlineLimit: number;

  constructor(scope: Construct, id: string, props: FanOutQueueProps) {
    super(scope, id);
    this.#inlineLimit = props.inlineLimit;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(FANOUT_WORKER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: 'Fan-out slices were dead-lettered: their recipients missed a message',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const worker = new RouteFunction(this, 'Worker', {
      entry: handlerEntry('fanout-worker'),
      description: 'Posts slices of large fan-outs (SQS)',
      timeout: FANOUT_WORKER_TIMEOUT,
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: {
        ...props.environment,
        FANOUT_QUEUE_URL: this.queue.queueUrl,
        FANOUT_DLQ_URL: this.deadLetterQueue.queueUrl,
        FANOUT_MAX_ATTEMPTS: Tokenization.stringifyNumber(props.maxReceiveCount),
      },
    });
    this.worker = worker.function;
    grantRouteAccess(this.worker, FANOUT_WORKER_ACCESS, { table: props.table, stage: props.stage });
    // The worker enqueues the next page of a chain, hands back what its deadline left and re-enqueues the
    // recipients that failed for now; after the last attempt it moves them to the dead-letter queue.
    this.queue.grantSendMessages(this.worker);
    this.deadLetterQueue.grantSendMessages(this.worker);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize,
        maxConcurrency: props.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  /**
   * Lets a function that fans out hand large audiences (and what its deadline leaves) to the queue: its URL,
   * the inline limit, `sqs:SendMessage`.
   */
  attachRoute(fn: IFunction & Pick<NodejsFunction, 'addEnvironment'>): void {
    fn.addEnvironment('FANOUT_QUEUE_URL', this.queue.queueUrl);
    fn.addEnvironment('FANOUT_INLINE_LIMIT', Tokenization.stringifyNumber(this.#inlineLimit));
    this.queue.grantSendMessages(fn);
  }
}
