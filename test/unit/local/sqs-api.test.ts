import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/constants.js';
import type { QueueModel } from '../../../local/model.js';
import { type RunningServices, startServices } from '../../../local/services/server.js';
import { sqsService } from '../../../local/sqs/api.js';
import { createQueueRegistry, type QueueRegistry } from '../../../local/sqs/registry.js';

const queue = (queueName: string, extra: Partial<QueueModel> = {}): QueueModel => ({
  logicalId: queueName,
  queueName,
  fifo: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  maximumMessageSize: 262_144,
  ...extra,
});

let services: RunningServices;
let registry: QueueRegistry;
let sqs: SQSClient;
let workUrl: string;
let dlqUrl: string;

beforeEach(async () => {
  services = await startServices({ host: '127.0.0.1' });
  registry = createQueueRegistry(
    [queue('dlq'), queue('work', { redrivePolicy: { deadLetterQueueName: 'dlq', maxReceiveCount: 1 } })],
    { endpoint: services.endpoint, region: 'us-east-1' },
  );
  services.register(sqsService(registry));
  sqs = new SQSClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: services.endpoint });
  workUrl = `${services.endpoint}/000000000000/work`;
  dlqUrl = `${services.endpoint}/000000000000/dlq`;
});
afterEach(async () => {
  registry.close();
  sqs.destroy();
  await services.close();
});

describe('sqsService with @aws-sdk/client-sqs', () => {
  it('sends, receives with the asked attributes, and deletes', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: workUrl,
        MessageBody: 'hello',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'greeting' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: workUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );

    expect(Messages).toHaveLength(1);
    const [message] = Messages ?? [];
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello' });
    expect(message?.Attributes).toEqual({ ApproximateReceiveCount: '1', SentTimestamp: expect.any(String) });
    expect(message?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'greeting' });
    expect(Buffer.from(message?.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual(Buffer.from([1, 2, 3]));
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: workUrl, ReceiptHandle: message?.ReceiptHandle }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: workUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:work',
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
        maxReceiveCount: 1,
      }),
    });
  });

  it('reports an unknown queue as QueueDoesNotExist, with the legacy code', async () => {
    const error = await sqs
      .send(new SendMessageCommand({ QueueUrl: `${services.endpoint}/000000000000/nope`, MessageBody: 'x' }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'work' }))).resolves.toMatchObject({
      QueueUrl: workUrl,
    });
  });

  it('enforces the batch limits: 10 entries, distinct ids, 256 KiB', async () => {
    const entries = (n: number, body = 'x') =>
      Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: body }));

    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: workUrl, Entries: entries(11) })),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: workUrl, Entries: [...entries(1), ...entries(1)] })),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: workUrl, Entries: entries(2, 'x'.repeat(140_000)) })),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });

    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: workUrl,
        Entries: [...entries(2), { Id: 'bad', MessageBody: 'bell \u0007' }],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['m0', 'm1']);
    expect(result.Failed).toEqual([
      { Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
    ]);
  });

  it('deletes in batches, reporting an invalid handle per entry', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: 'a' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl }));

    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: workUrl,
        Entries: [
          { Id: 'ok', ReceiptHandle: Messages?.[0]?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'garbage' },
        ],
      }),
    );

    expect(result.Successful).toEqual([{ Id: 'ok' }]);
    expect(result.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: workUrl, ReceiptHandle: 'garbage' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid', $metadata: { httpStatusCode: 404 } });
  });

  it('redrives to the dead-letter queue after maxReceiveCount receives, visible through the API', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: 'poison' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: workUrl,
        ReceiptHandle: Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );

    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl }));
    const dead = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );

    expect(again.Messages ?? []).toEqual([]);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(
      'arn:aws:sqs:us-east-1:000000000000:work',
    );
  });

  it('purges, once a minute', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: 'a' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: workUrl }));
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: workUrl }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
    });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl }))).Messages ?? []).toEqual([]);
  });

  it('takes the queue URL host as the endpoint when the client has none', async () => {
    // The SDK warns that it uses the queue URL's host, as it does in AWS for a URL of another region.
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const bare = new SQSClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, logger: quiet });
    try {
      const sent = await bare.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: 'direct' }));
      expect(sent.MessageId).toMatch(/[0-9a-f-]{36}/);
    } finally {
      bare.destroy();
    }
  });
});
