/**
 * The SQS client of the fan-out queue, created once per container at module load (locally
 * `AWS_ENDPOINT_URL_SQS` points it at the emulated service).
 *
 * @module
 */
import { SQSClient } from '@aws-sdk/client-sqs';

/** One client per container; the SDK's standard retries stay on (an enqueue is idempotent enough to retry). */
export const sqsClient: SQSClient = new SQSClient({});
