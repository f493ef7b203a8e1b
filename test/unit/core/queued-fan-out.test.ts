import { describe, expect, it } from 'vitest';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import { fanOut } from '../../../lambdas/core/fan-out.js';
import type { Messenger } from '../../../lambdas/core/ports.js';
import {
  deliverSlice,
  fanOutOrQueue,
  type QueuePlan,
  sliceRetryDelaySeconds,
} from '../../../lambdas/core/queued-fan-out.js';
import { ArrayRecipientPages, RecordingQueue, RefusingQueue } from '../support/fake-fan-out-queue.js';
import { slowMessenger, testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const ids = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

const planOf = (
  pages: ArrayRecipientPages,
  queue: RecordingQueue,
  inlineLimit: number,
  sliceSize = 3,
): QueuePlan => ({
  pages,
  queue,
  inlineLimit,
  sliceSize,
  route: 'publish',
});

describe('fanOutOrQueue', () => {
  it('posts inline to an audience below the inline limit and enqueues nothing', async () => {
    // Prepare
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 4));
    const queue = new RecordingQueue();
    const messenger = new ScriptedMessenger();

    // Act
    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions(),
      planOf(pages, queue, 5),
    );

    // Assess
    expect(result).toEqual({ delivered: 4, gone: 0, failed: 0, retried: 0, handedOff: 0, queued: false });
    expect(queue.slices).toEqual([]);
  });

  it('queues an audience at the inline limit: the first page as post slices, the rest as one page slice', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 12));
    const queue = new RecordingQueue();
    const messenger = new ScriptedMessenger();

    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions(),
      planOf(pages, queue, 5),
    );

    // The route read one page of 5 (the inline limit) and posted nothing.
    expect(result.queued).toBe(true);
    expect(messenger.sent).toEqual([]);
    expect(pages.reads).toEqual([{ source: { channel: 'lobby' }, cursor: undefined, limit: 5 }]);
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a0', 'a1', 'a2'] },
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a3', 'a4'] },
      {
        kind: 'page',
        route: 'publish',
        frame: 'f',
        deduplicated: true,
        source: { channel: 'lobby' },
        cursor: '5',
      },
    ]);
  });

  it('queues even a small audience with an inline limit of 0', async () => {
    const pages = new ArrayRecipientPages().set({ shard: 0 }, ['x']).set({ shard: 1 }, ['y']);
    const queue = new RecordingQueue();

    const result = await fanOutOrQueue(
      [{ shard: 0 }, { shard: 1 }],
      'f',
      {},
      { store: new InMemoryStore(), messenger: new ScriptedMessenger() },
      testFanOutOptions(),
      planOf(pages, queue, 0),
    );

    expect(result.queued).toBe(true);
    expect(queue.slices.map((s) => (s.kind === 'post' ? s.ids : []))).toEqual([['x'], ['y']]);
  });

  it('hands the recipients an inline fan-out did not reach by its deadline to the queue', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 4));
    const queue = new RecordingQueue();
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = slowMessenger(options);

    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      { ...options, deadline: options.clock + 150 },
      planOf(pages, queue, 10),
    );

    expect(result).toMatchObject({ delivered: 2, handedOff: 2, queued: false });
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a2', 'a3'] },
    ]);
  });
});

describe('fanOutOrQueue, inline recipients that failed for now', () => {
  it('hands them to the queue as attempt 2 after a delay, counted as handed off, not failed', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ['ok', 'busy', 'refused']);
    const queue = new RecordingQueue();
    const messenger = new ScriptedMessenger((id) =>
      id === 'busy' ? new RetryableSendError(id) : id === 'refused' ? new Error('403') : 'sent',
    );

    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      planOf(pages, queue, 10),
    );

    expect(result).toMatchObject({ delivered: 1, failed: 1, handedOff: 1, queued: false });
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['busy'], attempt: 2 },
    ]);
    expect(queue.delays).toEqual([sliceRetryDelaySeconds(1)]);
  });

  it('counts deadline leftovers the queue refuses as failed, without failing the fan-out', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 4));
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = slowMessenger(options);

    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      { ...options, deadline: options.clock + 150 },
      planOf(pages, new RefusingQueue(), 10),
    );

    expect(result).toMatchObject({ delivered: 2, failed: 2, handedOff: 0, queued: false });
  });

  it('leaves them failed, without failing the fan-out, when the queue refuses them', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ['busy']);
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id));

    const result = await fanOutOrQueue(
      [{ channel: 'lobby' }],
      'f',
      { deduplicated: true },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      planOf(pages, new RefusingQueue(), 10),
    );

    expect(result).toMatchObject({ delivered: 0, failed: 1, handedOff: 0 });
  });
});

describe('deliverSlice', () => {
  it('enqueues the next page before posting to its own page', async () => {
    // Prepare
    const log: string[] = [];
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 7));
    const queue = new RecordingQueue(log);
    const messenger: Messenger = {
      close: async () => 'closed',
      send: async (id) => {
        log.push(`post:${id}`);
        return 'sent';
      },
    };

    // Act
    const result = await deliverSlice(
      {
        kind: 'page',
        route: 'publish',
        frame: 'f',
        deduplicated: true,
        source: { channel: 'lobby' },
        cursor: '3',
      },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ concurrency: 1 }),
      { pages, queue, sliceSize: 3 },
    );

    // Assess
    expect(log).toEqual(['enqueue:page', 'post:a3', 'post:a4', 'post:a5']);
    expect(queue.slices[0]).toMatchObject({ kind: 'page', cursor: '6' });
    expect(result).toMatchObject({ delivered: 3, read: 3, requeued: 0, deadLettered: 0 });
  });

  it('re-enqueues only the recipients a page slice failed for now, as attempt 2 after a delay', async () => {
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ids('a', 4));
    const queue = new RecordingQueue();
    // a1 is throttled past its retries (a later attempt may reach it); a2 is refused for good.
    const messenger = new ScriptedMessenger((id) =>
      id === 'a1' ? new RetryableSendError(id) : id === 'a2' ? new Error('denied') : 'sent',
    );

    const result = await deliverSlice(
      {
        kind: 'page',
        route: 'publish',
        frame: 'f',
        deduplicated: true,
        source: { channel: 'lobby' },
        cursor: '0',
      },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages, queue, sliceSize: 4 },
    );

    // a1 is not given up on (requeued); a2 is.
    expect(result).toMatchObject({ delivered: 2, failed: 1, requeued: 1, deadLettered: 0 });
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a1'], attempt: 2 },
    ]);
    expect(queue.delays).toEqual([sliceRetryDelaySeconds(1)]);
  });

  it('never re-posts a post slice whole: only the failed recipient goes back, with the next attempt', async () => {
    const messenger = new ScriptedMessenger((id) => (id === 'b' ? new RetryableSendError(id) : 'sent'));
    const queue = new RecordingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: false, ids: ['a', 'b', 'c'], attempt: 2 },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3, maxAttempts: 5 },
    );

    expect(result).toMatchObject({ delivered: 2, failed: 0, requeued: 1, deadLettered: 0 });
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: false, ids: ['b'], attempt: 3 },
    ]);
    expect(queue.delays).toEqual([4]);
    expect(queue.deadLetters).toEqual([]);
    // a and c were posted once each.
    expect(messenger.sent.filter((s) => s.connectionId !== 'b').map((s) => s.connectionId)).toEqual([
      'a',
      'c',
    ]);
  });

  it('dead-letters the recipients that still fail on the last attempt, and enqueues nothing', async () => {
    const messenger = new ScriptedMessenger((id) => (id === 'b' ? new RetryableSendError(id) : 'sent'));
    const queue = new RecordingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'score', frame: 'f', deduplicated: true, ids: ['a', 'b'], attempt: 3 },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3, maxAttempts: 3 },
    );

    expect(result).toMatchObject({ delivered: 1, failed: 1, requeued: 0, deadLettered: 1 });
    expect(queue.slices).toEqual([]);
    expect(queue.deadLetters).toEqual([
      { kind: 'post', route: 'score', frame: 'f', deduplicated: true, ids: ['b'], attempt: 3 },
    ]);
  });

  it('does not re-enqueue a timed-out post of a frame without seq (it may have landed)', async () => {
    const messenger = new ScriptedMessenger((id) =>
      id === 'late' ? new RetryableSendError(id, { mayHaveLanded: true }) : new RetryableSendError(id),
    );
    const queue = new RecordingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'sendmessage', frame: 'f', deduplicated: false, ids: ['late', 'busy'] },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(result).toMatchObject({ delivered: 0, failed: 1, requeued: 1 });
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'sendmessage', frame: 'f', deduplicated: false, ids: ['busy'], attempt: 2 },
    ]);
  });

  it('re-enqueues a timed-out post when the frame has a seq (clients drop the repeat)', async () => {
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id, { mayHaveLanded: true }));
    const queue = new RecordingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['late'] },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(result).toMatchObject({ failed: 0, requeued: 1 });
    expect(queue.slices).toMatchObject([{ ids: ['late'], attempt: 2 }]);
  });

  it('dead-letters the recipients the queue refuses to take back, instead of failing a slice it posted', async () => {
    const messenger = new ScriptedMessenger((id) => (id === 'busy' ? new RetryableSendError(id) : 'sent'));
    const queue = new RefusingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['ok', 'busy'] },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(result).toMatchObject({ delivered: 1, failed: 1, requeued: 0, deadLettered: 1 });
    expect(queue.deadLetters).toEqual([
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['busy'] },
    ]);
    expect(messenger.sent.map((s) => s.connectionId)).toEqual(['ok']);
  });

  it('does not re-enqueue what a slice marked requeue: false failed for now (presence events)', async () => {
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id));
    const queue = new RecordingQueue();

    const result = await deliverSlice(
      { kind: 'post', route: 'subscribe', frame: 'join', deduplicated: false, requeue: false, ids: ['m'] },
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(result).toMatchObject({ failed: 1, requeued: 0, deadLettered: 0 });
    expect(queue.slices).toEqual([]);
    expect(queue.deadLetters).toEqual([]);
  });

  it('counts a hand-back the queue refused as dead-lettered, not handed off', async () => {
    const queue = new RefusingQueue();
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = slowMessenger(options);

    const result = await deliverSlice(
      { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a', 'b', 'c'] },
      { store: new InMemoryStore(), messenger },
      { ...options, deadline: options.clock + 150 },
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(result).toMatchObject({ delivered: 2, handedOff: 0, deadLettered: 1 });
    expect(queue.deadLetters).toMatchObject([{ ids: ['c'] }]);
  });

  it('fails the slice only when the dead-letter queue refuses too', async () => {
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id));
    const queue = new RecordingQueue([], new Error('SQS down'));

    await expect(
      deliverSlice(
        { kind: 'post', route: 'publish', frame: 'f', deduplicated: true, ids: ['a'] },
        { store: new InMemoryStore(), messenger },
        testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
        { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
      ),
    ).rejects.toThrow('SQS down');
  });

  it('re-enqueues only its own recipients, never those of a leave announced because one was gone', async () => {
    const store = new InMemoryStore();
    store.connect('gone1');
    const messenger = new ScriptedMessenger((id) =>
      id === 'gone1' ? 'gone' : id === 'member' ? new RetryableSendError(id) : 'sent',
    );
    const queue = new RecordingQueue();
    const leaves: string[] = [];

    const result = await deliverSlice(
      { kind: 'post', route: 'publish', frame: 'SECRET', deduplicated: true, ids: ['gone1', 'ok1'] },
      {
        store,
        messenger,
        // The departure's leave goes to a present member whose post fails for now.
        afterRemoval: async (_removed, options) => {
          const report = await fanOut(['member'], 'leave-frame', { store, messenger }, options);
          leaves.push(...report.retryLater);
        },
      },
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      { pages: new ArrayRecipientPages(), queue, sliceSize: 3 },
    );

    expect(leaves).toEqual(['member']);
    expect(result).toMatchObject({ delivered: 1, gone: 1, failed: 0, requeued: 0 });
    expect(queue.slices).toEqual([]);
  });
});

describe('sliceRetryDelaySeconds', () => {
  it('doubles from 2 s and stops at SQS maximum delay of 900 s', () => {
    expect([1, 2, 3, 4].map(sliceRetryDelaySeconds)).toEqual([2, 4, 8, 16]);
    expect(sliceRetryDelaySeconds(20)).toBe(900);
  });
});
