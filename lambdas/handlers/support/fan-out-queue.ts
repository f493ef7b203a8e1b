/**
 * The queued fan-out's production wiring: the plan a fan-out route follows when the stack has a queue
 * (`FANOUT_QUEUE_URL`), with the inline limit, slice size, attempts and dead-letter queue (workers only) from
 * the environment.
 *
 * @module
 */
import { documentClient, tableName } from '../../adapters/clients/dynamodb.js';
import { sqsClient } from '../../adapters/clients/sqs.js';
import { DynamoDbRecipientPages } from '../../adapters/dynamodb-recipient-pages.js';
import {
  readFanOutDeadLetterQueueUrl,
  readFanOutInlineLimit,
  readFanOutMaxAttempts,
  readFanOutQueueUrl,
  readFanOutSliceSize,
} from '../../adapters/env.js';
import { SqsFanOutQueue } from '../../adapters/sqs-fan-out-queue.js';
import type { QueuePlan } from '../../core/queued-fan-out.js';

/** The queue plan of `route`, or `undefined` when `FANOUT_QUEUE_URL` is unset (everything stays inline). */
export const productionQueuePlan = (route: string): QueuePlan | undefined => {
  const queueUrl = readFanOutQueueUrl();
  if (queueUrl === undefined) return undefined;
  return {
    queue: new SqsFanOutQueue(sqsClient, queueUrl, readFanOutDeadLetterQueueUrl()),
    pages: new DynamoDbRecipientPages({ client: documentClient, tableName }),
    inlineLimit: readFanOutInlineLimit(),
    sliceSize: readFanOutSliceSize(),
    route,
    maxAttempts: readFanOutMaxAttempts(),
  };
};
