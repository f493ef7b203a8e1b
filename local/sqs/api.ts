/**
 * The SQS API on the runtime's services endpoint, in the protocol today's AWS SDKs speak: AWS JSON 1.0
 * (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`, `Content-Type: application/x-amz-json-1.0`), errors as a
 * `__type` plus the query-compatible `x-amzn-query-error` header. `@aws-sdk/client-sqs` runs against it
 * unchanged; signatures are not checked.
 *
 * Operations: SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch,
 * ChangeMessageVisibility, ChangeMessageVisibilityBatch, GetQueueUrl, GetQueueAttributes, ListQueues,
 * PurgeQueue. Others (CreateQueue, DeleteQueue, SetQueueAttributes, tags, permissions, message move tasks)
 * answer `AWS.SimpleQueueService.UnsupportedOperation`: queues come from the template only.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ServiceHandler, ServiceResponse } from '../services/server.js';
import { invalidParameter, noSuchQueue, SqsError } from './errors.js';
import {
  type MessageAttributes,
  md5OfMessageAttributes,
  messageSize,
  selectMessageAttributes,
  validateAttributes,
} from './message.js';
import type { LocalQueue, ReceivedMessage } from './queue.js';
import type { QueueRegistry } from './registry.js';

/** `X-Amz-Target` prefix of SQS requests. */
export const SQS_TARGET_PREFIX = 'AmazonSQS.';
/** Most entries in one batch request. */
export const MAX_BATCH_ENTRIES = 10;
/** Most bytes of all the messages of one `SendMessageBatch` together (256 KiB). */
export const MAX_BATCH_BYTES = 262_144;

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

const JSON_TYPE = 'application/x-amz-json-1.0';

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): ServiceResponse => ({
  status,
  headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomUUID(), ...headers },
  body: JSON.stringify(body),
});

function errorReply(error: SqsError): ServiceResponse {
  const fault = error.status >= 500 ? 'Receiver' : 'Sender';
  return reply(
    error.status,
    { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
    { 'x-amzn-query-error': `${error.code};${fault}` },
  );
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function queueOf(registry: QueueRegistry, input: Input): LocalQueue {
  const url = input.QueueUrl;
  if (typeof url !== 'string') {
    throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }
  const queue = registry.byUrl(url);
  if (queue === undefined) throw noSuchQueue();
  return queue;
}

function receiptHandleOf(input: Input): string {
  const handle = input.ReceiptHandle;
  if (typeof handle !== 'string') {
    throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  }
  return handle;
}

/** The system attributes a receive asked for (`AttributeNames` and `MessageSystemAttributeNames`). */
function selectAttributes(attributes: Readonly<Record<string, string>>, names: readonly string[]) {
  if (names.includes('All')) return { ...attributes };
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.includes(name)));
}

function receivedView(message: ReceivedMessage, input: Input): Output {
  const attributes = selectAttributes(message.attributes, [
    ...stringList(input.AttributeNames),
    ...stringList(input.MessageSystemAttributeNames),
  ]);
  const messageAttributes: MessageAttributes = selectMessageAttributes(
    message.messageAttributes,
    stringList(input.MessageAttributeNames),
  );
  const md5 = md5OfMessageAttributes(messageAttributes);
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length === 0 ? {} : { Attributes: attributes }),
    ...(md5 === undefined ? {} : { MD5OfMessageAttributes: md5, MessageAttributes: messageAttributes }),
  };
}

/** FIFO parameters are kept as system attributes (the queue is served as a standard one). */
function systemAttributesOf(input: Input): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['MessageGroupId', 'MessageDeduplicationId'] as const) {
    const value = input[name];
    if (typeof value === 'string') kept[name] = value;
  }
  const system = input.MessageSystemAttributes as Record<string, { StringValue?: unknown }> | undefined;
  const trace = system?.AWSTraceHeader?.StringValue;
  if (typeof trace === 'string') kept.AWSTraceHeader = trace;
  return kept;
}

function send(queue: LocalQueue, input: Input): Output {
  const result = queue.send({
    body: input.MessageBody,
    messageAttributes: input.MessageAttributes,
    delaySeconds: input.DelaySeconds,
    systemAttributes: systemAttributesOf(input),
  });
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfBody,
    ...(result.md5OfMessageAttributes === undefined
      ? {}
      : { MD5OfMessageAttributes: result.md5OfMessageAttributes }),
  };
}

/** The bytes one batch entry adds to the request's total: body and message attributes, as SQS counts them. */
function entrySize(entry: Input): number {
  const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
  try {
    return messageSize(body, validateAttributes(entry.MessageAttributes));
  } catch {
    return Buffer.byteLength(body);
  }
}

/** Checks the entries of a batch request as SQS does before looking at any of them. @throws SqsError */
function batchEntries(input: Input): Input[] {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

/** Runs `each` on every entry: successes and per-entry failures, as SQS's batch results list them. */
function batch(entries: readonly Input[], each: (entry: Input) => Output): Output {
  const successful: Output[] = [];
  const failed: Output[] = [];
  for (const entry of entries) {
    try {
      successful.push({ Id: entry.Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      failed.push({
        Id: entry.Id,
        SenderFault: error.status < 500,
        Code: error.code,
        Message: error.message,
      });
    }
  }
  return { Successful: successful, Failed: failed };
}

const QUEUE_ATTRIBUTE_NAMES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'SqsManagedSseEnabled',
] as const;

function queueAttributes(queue: LocalQueue, names: readonly string[]): Record<string, string> {
  const { config } = queue;
  const counts = queue.counts();
  const created = String(Math.floor(queue.createdAt / 1000));
  const all: Record<string, string | undefined> = {
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: created,
    LastModifiedTimestamp: created,
    QueueArn: config.arn,
    VisibilityTimeout: String(config.visibilityTimeoutSeconds),
    MaximumMessageSize: String(config.maximumMessageSize),
    MessageRetentionPeriod: String(config.messageRetentionSeconds),
    DelaySeconds: String(config.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(config.receiveMessageWaitTimeSeconds),
    RedrivePolicy:
      config.redrive === undefined
        ? undefined
        : JSON.stringify({
            deadLetterTargetArn: config.redrive.deadLetterTargetArn,
            maxReceiveCount: config.redrive.maxReceiveCount,
          }),
    FifoQueue: config.fifo ? 'true' : undefined,
    SqsManagedSseEnabled: 'true',
  };
  for (const name of names) {
    if (name !== 'All' && !(QUEUE_ATTRIBUTE_NAMES as readonly string[]).includes(name)) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  const wanted = names.includes('All') ? QUEUE_ATTRIBUTE_NAMES : names;
  const selected: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) selected[name] = value;
  }
  return selected;
}

type Operation = (input: Input, registry: QueueRegistry) => Output | Promise<Output>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  SendMessage: (input, registry) => send(queueOf(registry, input), input),
  SendMessageBatch: (input, registry) => {
    const queue = queueOf(registry, input);
    const entries = batchEntries(input);
    // Bodies and message attributes count; an entry too malformed to measure fails on its own below.
    const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_BATCH_BYTES) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    return batch(entries, (entry) => send(queue, entry));
  },
  ReceiveMessage: async (input, registry) => {
    const queue = queueOf(registry, input);
    const messages = await queue.receive({
      maxNumberOfMessages: input.MaxNumberOfMessages,
      visibilityTimeoutSeconds: input.VisibilityTimeout,
      waitTimeSeconds: input.WaitTimeSeconds,
    } as Parameters<LocalQueue['receive']>[0]);
    return { Messages: messages.map((message) => receivedView(message, input)) };
  },
  DeleteMessage: (input, registry) => {
    queueOf(registry, input).delete(receiptHandleOf(input));
    return {};
  },
  DeleteMessageBatch: (input, registry) => {
    const queue = queueOf(registry, input);
    return batch(batchEntries(input), (entry) => {
      queue.delete(receiptHandleOf(entry));
      return {};
    });
  },
  ChangeMessageVisibility: (input, registry) => {
    queueOf(registry, input).changeVisibility(receiptHandleOf(input), input.VisibilityTimeout);
    return {};
  },
  ChangeMessageVisibilityBatch: (input, registry) => {
    const queue = queueOf(registry, input);
    return batch(batchEntries(input), (entry) => {
      queue.changeVisibility(receiptHandleOf(entry), entry.VisibilityTimeout);
      return {};
    });
  },
  GetQueueUrl: (input, registry) => {
    const name = input.QueueName;
    const queue = typeof name === 'string' ? registry.byName(name) : undefined;
    if (queue === undefined) throw noSuchQueue();
    return { QueueUrl: queue.config.url };
  },
  GetQueueAttributes: (input, registry) => {
    const queue = queueOf(registry, input);
    const names = stringList(input.AttributeNames);
    return { Attributes: queueAttributes(queue, names.length === 0 ? ['All'] : names) };
  },
  ListQueues: (input, registry) => {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    return {
      QueueUrls: registry.queues
        .filter((queue) => queue.config.name.startsWith(prefix))
        .map((queue) => queue.config.url),
    };
  },
  PurgeQueue: (input, registry) => {
    queueOf(registry, input).purge();
    return {};
  },
};

/**
 * The SQS `ServiceHandler` over the given queues (`registry.close()` ends the long polls in flight).
 *
 * @example
 * services.register(sqsService(registry));
 */
export function sqsService(registry: QueueRegistry): ServiceHandler {
  return {
    name: 'SQS',
    matches: (request) => String(request.headers['x-amz-target'] ?? '').startsWith(SQS_TARGET_PREFIX),
    async handle(request) {
      const operationName = String(request.headers['x-amz-target']).slice(SQS_TARGET_PREFIX.length);
      const operation = OPERATIONS[operationName];
      try {
        if (operation === undefined) {
          throw new SqsError(
            'UnsupportedOperation',
            `${operationName} is not supported by the local SQS: queues come from the template`,
          );
        }
        let input: unknown;
        try {
          input = JSON.parse(request.body.toString('utf8') || '{}');
        } catch {
          throw invalidParameter('the request body is not JSON.');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw invalidParameter('the request body is not a JSON object.');
        }
        return reply(200, await operation(input as Input, registry));
      } catch (error) {
        if (error instanceof SqsError) return errorReply(error);
        throw error;
      }
    },
  };
}
