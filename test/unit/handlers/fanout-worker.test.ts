import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeSlice, encodeSlice, SqsFanOutQueue } from '../../../lambdas/adapters/sqs-fan-out-queue.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import type { FanOutSlice, PostSlice } from '../../../lambdas/core/ports.js';
import { ArrayRecipientPages } from '../support/fake-fan-out-queue.js';
import { testFanOutSettings } from '../support/fan-out-options.js';
import { fakeContext, stubStackEnv } from '../support/handler-env.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout-dlq';
const sqs = mockClient(SQSClient);
let worker: typeof import('../../../lambdas/handlers/fanout-worker.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  vi.stubEnv('FANOUT_QUEUE_URL', QUEUE_URL);
  worker = await import('../../../lambdas/handlers/fanout-worker.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({});
  vi.restoreAllMocks();
});

const eventOf = (...bodies: string[]): SQSEvent =>
  ({
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1' },
    })),
  }) as unknown as SQSEvent;

const post = (ids: string[]): PostSlice => ({
  kind: 'post',
  route: 'publish',
  frame: '{"seq":9}',
  deduplicated: true,
  ids,
});

const handlerWith = (messenger: ScriptedMessenger, pages = new ArrayRecipientPages(), maxAttempts = 5) =>
  worker.makeFanOutWorkerHandler({
    ports: { store: new InMemoryStore(), messenger },
    plan: {
      queue: new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL, DLQ_URL),
      pages,
      sliceSize: 2,
      maxAttempts,
    },
    logger: logging.logger,
    fanOut: testFanOutSettings({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
  });

const sentTo = (queueUrl: string): { slice: FanOutSlice; delaySeconds: number | undefined }[] =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .filter((call) => call.args[0].input.QueueUrl === queueUrl)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({ slice: decodeSlice(entry.MessageBody ?? ''), delaySeconds: entry.DelaySeconds }));

const enqueued = (): FanOutSlice[] => sentTo(QUEUE_URL).map((sent) => sent.slice);

describe('fan-out worker', () => {
  it('posts each slice of the batch and reports no failure', async () => {
    const messenger = new ScriptedMessenger();

    const result = await handlerWith(messenger)(
      eventOf(encodeSlice(post(['a', 'b'])), encodeSlice(post(['c']))),
      fakeContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('re-enqueues only a failed recipient, delayed, instead of having the queue re-post its slice', async () => {
    const messenger = new ScriptedMessenger((id) => (id === 'b' ? new RetryableSendError(id) : 'sent'));

    const result = await handlerWith(messenger)(
      eventOf(encodeSlice(post(['a', 'b'])), encodeSlice(post(['c']))),
      fakeContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentTo(QUEUE_URL)).toEqual([{ slice: { ...post(['b']), attempt: 2 }, delaySeconds: 2 }]);
    expect(sentTo(DLQ_URL)).toEqual([]);
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['a', 'c']);
  });

  it('moves a recipient that fails its last attempt to the dead-letter queue and logs it', async () => {
    const error = vi.spyOn(logging.logger, 'error');
    const messenger = new ScriptedMessenger((id) => (id === 'b' ? new RetryableSendError(id) : 'sent'));

    const result = await handlerWith(
      messenger,
      new ArrayRecipientPages(),
      3,
    )(eventOf(encodeSlice({ ...post(['a', 'b']), attempt: 3 })), fakeContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentTo(QUEUE_URL)).toEqual([]);
    expect(sentTo(DLQ_URL)).toEqual([{ slice: { ...post(['b']), attempt: 3 }, delaySeconds: undefined }]);
    expect(error).toHaveBeenCalledWith(
      'fan-out recipients moved to the dead-letter queue (every attempt failed, or the queue refused them)',
      expect.objectContaining({ messageId: 'm0', deadLettered: 1 }),
    );
  });

  it('reports a body that is no slice, so it ends in the dead-letter queue', async () => {
    const error = vi.spyOn(logging.logger, 'error');

    const result = await handlerWith(new ScriptedMessenger())(eventOf('{"nope":true}'), fakeContext());

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(error).toHaveBeenCalledWith(
      'fan-out slice failed; the queue will retry it',
      expect.objectContaining({ messageId: 'm0' }),
    );
  });

  it('enqueues the next page slice on SQS before posting its page', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ['a', 'b', 'c', 'd', 'e']);
    const messenger = new ScriptedMessenger();
    const page: FanOutSlice = {
      kind: 'page',
      route: 'publish',
      frame: 'f',
      deduplicated: true,
      source: { channel: 'lobby' },
      cursor: '2',
    };

    const result = await handlerWith(messenger, pages)(eventOf(encodeSlice(page)), fakeContext());

    expect(result.batchItemFailures).toEqual([]);
    expect(messenger.sent.map((s) => s.connectionId)).toEqual(['c', 'd']);
    expect(enqueued()).toEqual([{ ...page, cursor: '4' }]);
  });

  it('hands its slice back to the queue untouched when it has no time left', async () => {
    const messenger = new ScriptedMessenger();

    const result = await handlerWith(messenger)(
      eventOf(encodeSlice(post(['a', 'b', 'c']))),
      fakeContext(500),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(messenger.sent).toEqual([]);
    expect(enqueued()).toEqual([post(['a', 'b']), post(['c'])]);
  });

  it('reports the slice when handing back fails, so nothing is lost', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('SQS down'));

    const result = await handlerWith(new ScriptedMessenger())(
      eventOf(encodeSlice(post(['a']))),
      fakeContext(500),
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });

  it('shares one retry budget across the slices of its batch', async () => {
    // Every post is throttled; the budget (500 tokens, 5 a retry) pays for 100 retries in all.
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id));
    const handle = worker.makeFanOutWorkerHandler({
      ports: { store: new InMemoryStore(), messenger },
      plan: {
        queue: new SqsFanOutQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL),
        pages: new ArrayRecipientPages(),
        sliceSize: 100,
      },
      logger: logging.logger,
      fanOut: testFanOutSettings({ retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 } }),
    });
    const ids = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}${i}`);

    const result = await handle(
      eventOf(encodeSlice(post(ids('a'))), encodeSlice(post(ids('b')))),
      fakeContext(),
    );

    // 80 first attempts + 100 retries, not 80 × 5 attempts (or 2 budgets' worth).
    expect([...messenger.attempts.values()].reduce((a, b) => a + b, 0)).toBe(180);
    // Every recipient goes back to the queue for a later attempt; no slice is retried whole.
    expect(result.batchItemFailures).toEqual([]);
    expect(
      enqueued()
        .flatMap((slice) => (slice.kind === 'post' ? slice.ids : []))
        .sort(),
    ).toEqual([...ids('a'), ...ids('b')].sort());
  });
});
