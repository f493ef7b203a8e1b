import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqsError } from '../../../local/sqs/errors.js';
import { md5Hex, md5OfMessageAttributes } from '../../../local/sqs/message.js';
import { LocalQueue, type QueueConfig } from '../../../local/sqs/queue.js';

const config = (name: string, extra: Partial<QueueConfig> = {}): QueueConfig => ({
  name,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  url: `http://127.0.0.1:1/000000000000/${name}`,
  fifo: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  maximumMessageSize: 262_144,
  ...extra,
});

/** A work queue whose messages go to `dlq` after two receives. */
function withDeadLetter(): { work: LocalQueue; dlq: LocalQueue } {
  const dlq = new LocalQueue(config('dlq'));
  const work = new LocalQueue(
    config('work', {
      redrive: { deadLetterTargetArn: dlq.config.arn, maxReceiveCount: 2, deadLetter: () => dlq },
    }),
  );
  return { work, dlq };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LocalQueue', () => {
  it('hides a received message for the visibility timeout, then gives it again with a new handle and count', async () => {
    const queue = new LocalQueue(config('q'));
    const { messageId, md5OfBody } = queue.send({ body: 'hello' });

    const [first] = await queue.receive();
    expect(first).toMatchObject({ messageId, body: 'hello', md5OfBody: md5Hex('hello') });
    expect(md5OfBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(first?.attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SentTimestamp: '1000000',
      ApproximateFirstReceiveTimestamp: '1000000',
    });
    expect(await queue.receive()).toEqual([]);

    vi.advanceTimersByTime(30_000);
    const [second] = await queue.receive();

    expect(second?.messageId).toBe(messageId);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    expect(second?.attributes.ApproximateFirstReceiveTimestamp).toBe('1000000');
  });

  it('deletes by the current handle; a stale handle succeeds but deletes nothing; garbage fails', async () => {
    const queue = new LocalQueue(config('q'));
    queue.send({ body: 'x' });
    const [first] = await queue.receive({ visibilityTimeoutSeconds: 0 });
    const [second] = await queue.receive({ visibilityTimeoutSeconds: 0 });

    queue.delete(first?.receiptHandle ?? '');
    expect(queue.counts().visible).toBe(1);
    expect(() => queue.changeVisibility(first?.receiptHandle ?? '', 10)).toThrow(/not available/);
    expect(() => queue.delete('not-a-handle')).toThrow(SqsError);

    queue.delete(second?.receiptHandle ?? '');
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    queue.delete(second?.receiptHandle ?? ''); // deletes are idempotent
  });

  it('moves a message to the dead-letter queue instead of receiving it more than maxReceiveCount times', async () => {
    const { work, dlq } = withDeadLetter();
    const { messageId } = work.send({ body: 'poison' });

    for (const count of ['1', '2']) {
      const [message] = await work.receive({ visibilityTimeoutSeconds: 0 });
      expect(message?.attributes.ApproximateReceiveCount).toBe(count);
    }
    expect(await work.receive()).toEqual([]);
    const [dead] = await dlq.receive();

    expect(dead).toMatchObject({ messageId, body: 'poison' });
    expect(dead?.attributes).toMatchObject({
      SentTimestamp: '1000000',
      DeadLetterQueueSourceArn: work.config.arn,
    });
  });

  it('keeps a delayed message invisible, and counts it as delayed', async () => {
    const queue = new LocalQueue(config('q', { delaySeconds: 5 }));
    queue.send({ body: 'later' });
    queue.send({ body: 'now', delaySeconds: 0 });

    expect((await queue.receive({ maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual(['now']);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 1, delayed: 1 });
    vi.advanceTimersByTime(5_000);
    expect((await queue.receive()).map((m) => m.body)).toEqual(['later']);
  });

  it('long-polls until a message arrives, and returns empty at the wait time', async () => {
    const queue = new LocalQueue(config('q'));
    const waiting = queue.receive({ waitTimeSeconds: 20 });
    await vi.advanceTimersByTimeAsync(1_000);
    queue.send({ body: 'arrived' });
    expect((await waiting).map((m) => m.body)).toEqual(['arrived']);

    const empty = queue.receive({ waitTimeSeconds: 2 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await empty).toEqual([]);
  });

  it('wakes a long poll when an in-flight message reappears', async () => {
    const queue = new LocalQueue(config('q'));
    queue.send({ body: 'again' });
    await queue.receive({ visibilityTimeoutSeconds: 3 });

    const waiting = queue.receive({ waitTimeSeconds: 20 });
    await vi.advanceTimersByTimeAsync(3_000);

    expect((await waiting).map((m) => m.attributes.ApproximateReceiveCount)).toEqual(['2']);
  });

  it('wakes a long poll when a visibility change brings the reappearance forward', async () => {
    const queue = new LocalQueue(config('q'));
    queue.send({ body: 'x' });
    const [taken] = await queue.receive({ visibilityTimeoutSeconds: 600 });
    const waiting = queue.receive({ waitTimeSeconds: 20 });

    queue.changeVisibility(taken?.receiptHandle ?? '', 2);
    await vi.advanceTimersByTimeAsync(2_000);

    expect((await waiting).map((m) => m.attributes.ApproximateReceiveCount)).toEqual(['2']);
  });

  it('drops messages past the retention period, counted from the original send', async () => {
    const { work, dlq } = withDeadLetter();
    const shortDlq = new LocalQueue(config('short', { messageRetentionSeconds: 60 }));
    work.send({ body: 'old' });
    shortDlq.send({ body: 'old' });
    vi.advanceTimersByTime(60_000);

    expect(await shortDlq.receive()).toEqual([]);
    expect(await work.receive()).toHaveLength(1);
    expect(dlq.counts().visible).toBe(0);
  });

  it('changes visibility of an in-flight message; 0 makes it visible at once', async () => {
    const queue = new LocalQueue(config('q'));
    queue.send({ body: 'x' });
    const [message] = await queue.receive();

    queue.changeVisibility(message?.receiptHandle ?? '', 0);

    expect(await queue.receive()).toHaveLength(1);
    expect(() => queue.changeVisibility(message?.receiptHandle ?? '', 43_201)).toThrow(/VisibilityTimeout/);
  });

  it('refuses a second purge within 60 seconds', () => {
    const queue = new LocalQueue(config('q'));
    queue.send({ body: 'x' });
    queue.purge();
    expect(queue.counts().visible).toBe(0);
    expect(() => queue.purge()).toThrow(/Only one PurgeQueue operation on q is allowed every 60 seconds/);
    vi.advanceTimersByTime(60_000);
    expect(() => queue.purge()).not.toThrow();
  });

  it('rejects empty, oversized and invalid bodies', () => {
    const queue = new LocalQueue(config('q', { maximumMessageSize: 1024 }));
    expect(() => queue.send({ body: '' })).toThrow(/MessageBody/);
    expect(() => queue.send({ body: 'x'.repeat(1025) })).toThrow(/shorter than 1024 bytes/);
    expect(() => queue.send({ body: 'bell \u0007' })).toThrow(/Invalid characters/);
  });
});

describe('md5OfMessageAttributes', () => {
  it("matches AWS's documented encoding", () => {
    // Reference value computed by SQS for { attr: String "value" } (AWS SDK for Java's MD5 test vector layout).
    const expected = (() => {
      const parts = [
        [0, 0, 0, 4, ...Buffer.from('attr')],
        [0, 0, 0, 6, ...Buffer.from('String')],
        [1],
        [0, 0, 0, 5, ...Buffer.from('value')],
      ].flat();
      return md5Hex(Buffer.from(parts).toString('latin1'));
    })();
    expect(md5OfMessageAttributes({ attr: { DataType: 'String', StringValue: 'value' } })).toBe(expected);
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
});
