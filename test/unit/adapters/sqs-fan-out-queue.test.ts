import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BadSliceError,
  decodeSlice,
  EnqueueError,
  encodeSlice,
  MAX_MESSAGE_BYTES,
  SqsFanOutQueue,
} from '../../../lambdas/adapters/sqs-fan-out-queue.js';
import { MAX_FANOUT_SLICE_SIZE, MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import type { FanOutSlice, PostSlice } from '../../../lambdas/core/ports.js';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout-dlq';

const post = (ids: string[], frame = '{"seq":1}'): PostSlice => ({
  kind: 'post',
  route: 'publish',
  frame,
  deduplicated: true,
  ids,
});

beforeEach(() => {
  sqs.reset();
});

describe('slice bodies', () => {
  it('round-trip a post slice and a page slice', () => {
    const page: FanOutSlice = {
      kind: 'page',
      route: 'sendmessage',
      frame: 'héllo "world"',
      deduplicated: false,
      source: { shard: 3 },
      cursor: 'abc',
    };

    expect(decodeSlice(encodeSlice(post(['a', 'b'])))).toEqual(post(['a', 'b']));
    expect(decodeSlice(encodeSlice(page))).toEqual(page);
  });

  it('fit one SQS message with the largest frame (all quotes) and the largest slice', () => {
    const frame = '"'.repeat(MAX_FRAME_BYTES);
    const ids = Array.from(
      { length: MAX_FANOUT_SLICE_SIZE },
      (_, i) => `L0SM9cOFvHc${String(i).padStart(5, '0')}=`,
    );

    expect(Buffer.byteLength(encodeSlice(post(ids, frame)))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it.each([
    'not json',
    '{"v":2}',
    '{"v":1,"route":"r","frame":"","deduplicated":true,"kind":"post","ids":[1]}',
  ])('fails a body that is no slice: %s', (body) => {
    expect(() => decodeSlice(body)).toThrow(BadSliceError);
  });
});

describe('SqsFanOutQueue', () => {
  it('sends slices in batches of at most 10 entries to the queue', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const slices = Array.from({ length: 23 }, (_, i) => post([`c${i}`]));

    // Act
    await new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).enqueue(slices);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: QUEUE_URL });
    const bodies = calls.flatMap((call) => call.args[0].input.Entries ?? []).map((e) => e.MessageBody ?? '');
    expect(bodies.map((body) => decodeSlice(body))).toEqual(slices);
  });

  it('splits a batch that would pass 256 KiB', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    const big = 'x'.repeat(100_000);

    await new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).enqueue([
      post(['a'], big),
      post(['b'], big),
    ]);

    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
  });

  it('throws when SQS refuses an entry, so the caller retries', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });

    await expect(
      new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).enqueue([post(['a'])]),
    ).rejects.toThrow(EnqueueError);
  });

  it('gives every entry the delay of a retry', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});

    await new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).enqueue(
      [post(['a']), post(['b'])],
      { delaySeconds: 8 },
    );

    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [expect.objectContaining({ DelaySeconds: 8 }), expect.objectContaining({ DelaySeconds: 8 })],
    });
  });

  it('sends dead-lettered slices to the dead-letter queue, not the queue', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});

    await new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL, DLQ_URL).deadLetter([
      { ...post(['a']), attempt: 5 },
    ]);

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((call) => call.args[0].input.QueueUrl)).toEqual([DLQ_URL]);
    const body = calls[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '';
    expect(decodeSlice(body)).toEqual({ ...post(['a']), attempt: 5 });
  });

  it('refuses to dead-letter without a dead-letter queue, so the caller fails the slice', async () => {
    await expect(
      new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).deadLetter([post(['a'])]),
    ).rejects.toThrow(EnqueueError);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 0);
  });
});

describe('slice bodies of every source and attempt', () => {
  it.each([{ presence: 'room' }, { user: 'alice' }, { channel: 'c' }, { shard: 0 }] as const)(
    'round-trip a page slice of %o',
    (source) => {
      const page: FanOutSlice = {
        kind: 'page',
        route: 'score',
        frame: 'f',
        deduplicated: true,
        source,
        cursor: 'k',
      };
      expect(decodeSlice(encodeSlice(page))).toEqual(page);
    },
  );

  it('keeps a requeue: false (presence events) and refuses any other requeue value', () => {
    const presence: FanOutSlice = { ...post(['a']), requeue: false };
    expect(decodeSlice(encodeSlice(presence))).toEqual(presence);
    expect(JSON.parse(encodeSlice(post(['a'])))).not.toHaveProperty('requeue');
    const body = JSON.stringify({ ...JSON.parse(encodeSlice(post(['a']))), requeue: true });
    expect(() => decodeSlice(body)).toThrow(BadSliceError);
  });

  it('keeps the attempt of a retried post slice', () => {
    const retried: FanOutSlice = { ...post(['a']), attempt: 3 };
    expect(decodeSlice(encodeSlice(retried))).toEqual(retried);
  });

  it.each([0, -1, 1.5, '2'])('refuses a post slice whose attempt is %o', (attempt) => {
    const body = JSON.stringify({ ...JSON.parse(encodeSlice(post(['a']))), attempt });
    expect(() => decodeSlice(body)).toThrow(BadSliceError);
  });

  it('refuses a page slice whose source names nothing it can read', () => {
    const body = JSON.stringify({
      v: 1,
      kind: 'page',
      route: 'publish',
      frame: 'Zg==',
      deduplicated: true,
      source: { room: 'x' },
      cursor: 'k',
    });
    expect(() => decodeSlice(body)).toThrow(BadSliceError);
  });
});
