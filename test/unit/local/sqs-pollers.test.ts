import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeResult, QueueEventSourceMappingModel } from '../../../local/model.js';
import { batchVerdict, type QueuePollers, startQueuePollers } from '../../../local/sqs/pollers.js';
import { LocalQueue, type QueueConfig } from '../../../local/sqs/queue.js';

const queueOf = (extra: Partial<QueueConfig> = {}): LocalQueue =>
  new LocalQueue({
    name: 'work',
    arn: 'arn:aws:sqs:eu-west-1:000000000000:work',
    url: 'http://127.0.0.1:1/000000000000/work',
    fifo: false,
    visibilityTimeoutSeconds: 1,
    messageRetentionSeconds: 345_600,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSize: 262_144,
    ...extra,
  });

const mapping = (extra: Partial<QueueEventSourceMappingModel> = {}): QueueEventSourceMappingModel => ({
  logicalId: 'Mapping',
  functionId: 'WorkerFn',
  queueLogicalId: 'Work',
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  enabled: true,
  ...extra,
});

interface SqsEvent {
  Records: { messageId: string; body: string; attributes: Record<string, string> }[];
}

const ok = (value: unknown): InvokeResult => ({ ok: true, value, durationMs: 1 });

/** A fake function: records each event, answers with `answer`. */
function fakeFunction(answer: (event: SqsEvent) => InvokeResult | Promise<InvokeResult>) {
  const events: SqsEvent[] = [];
  return {
    events,
    invoke: async (_functionId: string, event: unknown) => {
      events.push(event as SqsEvent);
      return answer(event as SqsEvent);
    },
  };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let pollers: QueuePollers | undefined;
afterEach(async () => {
  await pollers?.stop();
  pollers = undefined;
});

describe('startQueuePollers', () => {
  it("invokes with Lambda's SQS event and deletes a successful batch", async () => {
    const queue = queueOf();
    const fn = fakeFunction(() => ok(null));
    const { messageId } = queue.send({
      body: 'hello',
      messageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
    });
    pollers = startQueuePollers({
      sources: [{ mapping: mapping(), queue, invoke: fn.invoke, functionConcurrency: 2 }],
      region: 'eu-west-1',
    });

    await until(() => fn.events.length === 1 && queue.counts().notVisible === 0);

    expect(fn.events[0]).toEqual({
      Records: [
        {
          messageId,
          receiptHandle: expect.any(String),
          body: 'hello',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: expect.stringMatching(/^\d{13}$/),
            SenderId: expect.any(String),
            ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
          },
          messageAttributes: {
            kind: { stringValue: 'greeting', stringListValues: [], binaryListValues: [], dataType: 'String' },
          },
          md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
          md5OfBody: '5d41402abc4b2a76b9719d911017c592',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:work',
          awsRegion: 'eu-west-1',
        },
      ],
    });
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('redelivers only the batchItemFailures, after the visibility timeout, with a higher receive count', async () => {
    const queue = queueOf({ visibilityTimeoutSeconds: 2 });
    const fn = fakeFunction((event) =>
      ok({
        batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      }),
    );
    for (const body of ['a', 'fail-b', 'c']) queue.send({ body });
    pollers = startQueuePollers({
      sources: [
        {
          mapping: mapping({ maximumBatchingWindowSeconds: 1 }),
          queue,
          invoke: fn.invoke,
          functionConcurrency: 1,
        },
      ],
      region: 'eu-west-1',
    });

    await until(() => fn.events.length >= 2);

    expect(fn.events[0]?.Records.map((r) => r.body)).toEqual(['a', 'fail-b', 'c']);
    expect(fn.events[1]?.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['fail-b', '2'],
    ]);
  });

  it('leaves the whole batch after a failed invocation, and lets the redrive policy dead-letter it', async () => {
    const dlq = queueOf({ name: 'dlq', arn: 'arn:aws:sqs:eu-west-1:000000000000:dlq' });
    const queue = queueOf({
      redrive: { deadLetterTargetArn: dlq.config.arn, maxReceiveCount: 2, deadLetter: () => dlq },
    });
    const fn = fakeFunction(() => ({
      ok: false,
      kind: 'error',
      errorType: 'Error',
      errorMessage: 'boom',
      durationMs: 1,
    }));
    queue.send({ body: 'poison' });
    pollers = startQueuePollers({
      sources: [{ mapping: mapping(), queue, invoke: fn.invoke, functionConcurrency: 1 }],
      region: 'eu-west-1',
    });

    await until(() => dlq.counts().visible === 1);

    expect(fn.events.map((e) => e.Records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
  });

  it('runs at most MaximumConcurrency invocations at once', async () => {
    const queue = queueOf({ visibilityTimeoutSeconds: 30 });
    let running = 0;
    let most = 0;
    const fn = fakeFunction(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running -= 1;
      return ok(null);
    });
    for (let i = 0; i < 8; i += 1) queue.send({ body: `m${i}` });
    pollers = startQueuePollers({
      sources: [
        {
          mapping: mapping({ batchSize: 1, maximumConcurrency: 2 }),
          queue,
          invoke: fn.invoke,
          functionConcurrency: 4,
        },
      ],
      region: 'eu-west-1',
    });

    await until(() => fn.events.length === 8 && running === 0);

    expect(most).toBe(2);
  });

  it('delivers only messages that pass the filter criteria and deletes the others', async () => {
    const queue = queueOf();
    const fn = fakeFunction(() => ok(null));
    for (const body of [JSON.stringify({ kind: 'job' }), JSON.stringify({ kind: 'other' }), 'plain text']) {
      queue.send({ body });
    }
    pollers = startQueuePollers({
      sources: [
        {
          mapping: mapping({
            maximumBatchingWindowSeconds: 1,
            filterPatterns: ['{"body":{"kind":["job"]}}'],
          }),
          queue,
          invoke: fn.invoke,
          functionConcurrency: 1,
        },
      ],
      region: 'eu-west-1',
    });

    await until(() => fn.events.length === 1 && queue.counts().notVisible === 0);

    expect(fn.events[0]?.Records.map((r) => r.body)).toEqual([JSON.stringify({ kind: 'job' })]);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('warns about a filter pattern it cannot apply and delivers unfiltered', async () => {
    const queue = queueOf();
    const fn = fakeFunction(() => ok(null));
    const warnings: string[] = [];
    queue.send({ body: 'anything' });
    pollers = startQueuePollers({
      sources: [
        {
          mapping: mapping({ filterPatterns: ['{"body":{"n":[{"numeric":[">",1]}]}}'] }),
          queue,
          invoke: fn.invoke,
          functionConcurrency: 1,
        },
      ],
      region: 'eu-west-1',
      onWarning: (message) => warnings.push(message),
    });

    await until(() => fn.events.length === 1);

    expect(warnings).toEqual([
      expect.stringMatching(/^queue work → WorkerFn: filter pattern unsupported .*numeric/),
    ]);
  });

  it('stops promptly while long-polling an empty queue, and ignores disabled mappings', async () => {
    const queue = queueOf();
    const fn = fakeFunction(() => ok(null));
    pollers = startQueuePollers({
      sources: [
        { mapping: mapping(), queue, invoke: fn.invoke, functionConcurrency: 2 },
        {
          mapping: mapping({ enabled: false }),
          queue: queueOf({ name: 'off' }),
          invoke: fn.invoke,
          functionConcurrency: 2,
        },
      ],
      region: 'eu-west-1',
    });
    const started = Date.now();

    await pollers.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fn.events).toEqual([]);
  });
});

describe('batchVerdict', () => {
  const ids = ['m1', 'm2'];

  it('treats empty and null responses as success and reads batchItemFailures', () => {
    expect(batchVerdict(ok(undefined), ids, true)).toEqual({ kind: 'all' });
    expect(batchVerdict(ok({ batchItemFailures: [] }), ids, true)).toEqual({ kind: 'all' });
    expect(batchVerdict(ok({ batchItemFailures: null }), ids, true)).toEqual({ kind: 'all' });
    expect(batchVerdict(ok({ batchItemFailures: [{ itemIdentifier: 'm2' }] }), ids, true)).toEqual({
      kind: 'partial',
      failed: new Set(['m2']),
    });
  });

  it('fails the whole batch on an invalid response, as Lambda does', () => {
    for (const value of [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ id: 'm1' }] },
      { batchItemFailures: [{ itemIdentifier: 'unknown' }] },
      { batchItemFailures: 'm1' },
      'not an object',
    ]) {
      expect(batchVerdict(ok(value), ids, true).kind).toBe('none');
    }
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    expect(batchVerdict(ok({ batchItemFailures: [{ itemIdentifier: 'm1' }] }), ids, false)).toEqual({
      kind: 'all',
    });
  });
});
