/**
 * The fan-out worker: not a route, but the consumer of the fan-out queue. Each SQS record is one slice of a
 * large fan-out (README "Fan-out"): a `post` slice lists recipients; a `page` slice names a DynamoDB page,
 * whose successor the worker enqueues before posting to it. Posts follow the same retry/410 rules and deadline
 * as inline fan-outs; recipients not reached before the deadline are handed back to the queue.
 *
 * Recipients that failed for now are enqueued again on their own, with a delay, and dead-lettered after
 * `FANOUT_MAX_ATTEMPTS` attempts (`deliverSlice`), so a slice is never posted twice. A record whose body, table
 * read or enqueue threw is reported in `batchItemFailures`: SQS makes it visible again after the visibility
 * timeout and, after `maxReceiveCount` receives, moves it to the dead-letter queue. The batch never throws.
 *
 * @module
 */

import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../adapters/logger.js';
import { recordQueueLag } from '../adapters/metrics.js';
import { decodeSlice } from '../adapters/sqs-fan-out-queue.js';
import type { FanOutPorts } from '../core/fan-out.js';
import { deliverSlice, type QueuePlan } from '../core/queued-fan-out.js';
import { RetryBudget } from '../core/retry-budget.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { productionQueuePlan } from './support/fan-out-queue.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import type { RouteLogger } from './support/route-response.js';

/** What the worker needs. */
export interface FanOutWorkerDeps {
  readonly ports: FanOutPorts;
  readonly plan: Pick<QueuePlan, 'queue' | 'pages' | 'sliceSize' | 'maxAttempts'>;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/**
 * Builds the SQS handler (use it with `reportBatchItemFailures`).
 *
 * @example
 * const handle = makeFanOutWorkerHandler({ ports, plan, logger, fanOut: defaultFanOutSettings() });
 * const { batchItemFailures } = await handle(sqsEvent, context);
 */
export const makeFanOutWorkerHandler =
  (deps: FanOutWorkerDeps) =>
  async (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // One retry budget for the whole invocation, shared by every slice of the batch.
    const retryBudget = new RetryBudget(deps.fanOut.retryBudget);
    for (const record of event.Records) {
      const fields = {
        route: 'fanout-worker' as const,
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      };
      // How long the slice waited in the queue (`QueueLag`): SQS stamps when it was sent.
      const sentAt = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sentAt)) recordQueueLag(deps.fanOut.now() - sentAt);
      try {
        const slice = decodeSlice(record.body);
        const result = await loggedFanOut(
          deps.logger,
          context,
          deps.fanOut,
          { ...fields, of: slice.route, slice: slice.kind },
          (options) => deliverSlice(slice, deps.ports, { ...options, retryBudget }, deps.plan),
        );
        if (result.deadLettered > 0) {
          deps.logger.error(
            'fan-out recipients moved to the dead-letter queue (every attempt failed, or the queue refused them)',
            {
              ...fields,
              of: slice.route,
              deadLettered: result.deadLettered,
            },
          );
        }
      } catch (error) {
        deps.logger.error('fan-out slice failed; the queue will retry it', {
          ...fields,
          error: error instanceof Error ? error : String(error),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };

const plan = productionQueuePlan('fanout-worker');
if (plan === undefined) {
  throw new Error(
    'environment variable FANOUT_QUEUE_URL is not set (the stack sets it on the fan-out worker)',
  );
}

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeFanOutWorkerHandler({
    ports: productionPorts('fanout-worker'),
    plan,
    logger,
    fanOut: defaultFanOutSettings(),
  }),
);
