/**
 * The queued fan-out's production wiring: the plan a fan-out route follows when the stack has a queue
 * (`FANOUT_QUEUE_URL`), with the inline limit and slice size from the environment.
 *
 * @module
 */
import { documentClient, tableName } from '../../adapters/clients/dynamodb.js';
import { sqsClient } from '../../adapters/clients/sqs.js';
import { DynamoDbRecipientPages } from '../../adapters/dynamodb-recipient-pages.js';
import { readFanOutInlineLimit, readFanOutQueueUrl, readFanOutSliceSize } from '../../adapters/env.js';
import { SqsFanOutQueue } from '../../adapters/sqs-fan-out-queue.js';
import type { QueuePlan } from '../../core/queued-fan-out.js';

/** The queue plan of `route`, or `undefined` when `FANOUT_QUEUE_URL` is unset (everything stays inline). */
export const productionQueuePlan = (route: string): QueuePlan | undefined => {
  const queueUrl = readFanOutQueueUrl();
  if (queueUrl === undefined) return undefined;
  return {
    queue: new SqsFanOutQueue(sqsClient, queueUrl),
    pages: new DynamoDbRecipientPages({ client: documentClient, tableName }),
    inlineLimit: readFanOutInlineLimit(),
    sliceSize: readFanOutSliceSize(),
    route,
  };
};
