/**
 * Every fan-out with a queue plan follows it, not only `publish` and `sendmessage`: presence announcements,
 * leaderboard snapshots and direct messages hand large audiences, and what their deadline leaves, to the queue.
 */
import { describe, expect, it } from 'vitest';
import { sendToUser } from '../../../lambdas/core/direct.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import { submitScore } from '../../../lambdas/core/leaderboard.js';
import { announcePresence } from '../../../lambdas/core/presence.js';
import type { QueuePlan } from '../../../lambdas/core/queued-fan-out.js';
import { ArrayRecipientPages, RecordingQueue } from '../support/fake-fan-out-queue.js';
import { slowMessenger, testFanOutOptions } from '../support/fan-out-options.js';
import { inMemoryStores } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const ids = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

const planOf = (pages: ArrayRecipientPages, queue: RecordingQueue, inlineLimit: number): QueuePlan => ({
  pages,
  queue,
  inlineLimit,
  sliceSize: 2,
  route: 'test',
});

const ann = { clientId: 'ann', connectionId: 'c-ann' };

describe('queued audiences beyond publish', () => {
  it('queues the join of a channel whose presence reaches the inline limit, posting nothing itself', async () => {
    const { store, presence } = inMemoryStores();
    const pages = new ArrayRecipientPages().set({ presence: 'arena' }, ids('p', 5));
    const queue = new RecordingQueue();
    const messenger = new ScriptedMessenger();

    const result = await announcePresence(
      { store, presence, messenger, fanOutQueue: planOf(pages, queue, 3) },
      'join',
      'arena',
      ann,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ delivered: 0, queued: true });
    expect(messenger.sent).toEqual([]);
    expect(pages.reads[0]?.source).toEqual({ presence: 'arena' });
    const frame = JSON.stringify({ type: 'join', channel: 'arena', member: ann });
    // The first page (the inline limit's worth) as post slices, the rest as a page slice for a worker.
    expect(queue.slices).toEqual([
      { kind: 'post', route: 'test', frame, deduplicated: false, requeue: false, ids: ['p0', 'p1'] },
      { kind: 'post', route: 'test', frame, deduplicated: false, requeue: false, ids: ['p2'] },
      {
        kind: 'page',
        route: 'test',
        frame,
        deduplicated: false,
        requeue: false,
        source: { presence: 'arena' },
        cursor: '3',
      },
    ]);
  });

  it('queues a leaderboard snapshot to a large board as deduplicated (clients keep the newest version)', async () => {
    const { store, leaderboard } = inMemoryStores();
    const pages = new ArrayRecipientPages().set({ channel: 'cup' }, ids('v', 4));
    const queue = new RecordingQueue();

    const result = await submitScore(
      { store, leaderboard, messenger: new ScriptedMessenger(), fanOutQueue: planOf(pages, queue, 2) },
      { board: 'cup', player: 'ann', points: 5 },
      10,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ score: 5, version: 1, delivered: 0 });
    expect(queue.slices).toMatchObject([
      { kind: 'post', ids: ['v0', 'v1'] },
      { kind: 'page', source: { channel: 'cup' }, cursor: '2' },
    ]);
    expect(queue.slices.every((slice) => slice.deduplicated)).toBe(true);
    expect(JSON.parse(queue.slices[0]?.frame ?? '{}')).toMatchObject({ type: 'leaderboard', version: 1 });
  });

  it("hands the user's connections a direct message's deadline left to the queue", async () => {
    const { store } = inMemoryStores();
    const pages = new ArrayRecipientPages().set({ user: 'alice' }, ['a1', 'a2', 'a3']);
    const queue = new RecordingQueue();
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = slowMessenger(options);

    const result = await sendToUser(
      { store, messenger, fanOutQueue: planOf(pages, queue, 10) },
      { sender: { from: 'b1', fromUser: 'bob' }, user: 'alice', data: { text: 'hi' } },
      { ...options, deadline: options.clock + 150 },
    );

    expect(result).toMatchObject({ delivered: 2, handedOff: 1, queued: false });
    expect(queue.slices).toMatchObject([{ kind: 'post', ids: ['a3'], deduplicated: false }]);
    expect(JSON.parse(queue.slices[0]?.frame ?? '{}')).toMatchObject({
      type: 'direct',
      data: { text: 'hi' },
    });
  });

  it('never re-enqueues a presence event that failed for now (a late join after a leave leaves a ghost)', async () => {
    const { store, presence } = inMemoryStores();
    const pages = new ArrayRecipientPages().set({ presence: 'arena' }, ['busy', 'ok']);
    const queue = new RecordingQueue();
    const messenger = new ScriptedMessenger((id) => (id === 'busy' ? new RetryableSendError(id) : 'sent'));

    const result = await announcePresence(
      { store, presence, messenger, fanOutQueue: planOf(pages, queue, 10) },
      'join',
      'arena',
      ann,
      testFanOutOptions({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
    );

    expect(result).toMatchObject({ delivered: 1, failed: 1, handedOff: 0 });
    expect(queue.slices).toEqual([]);
  });

  it('fans out inline over the store when there is no queue plan (no stack queue)', async () => {
    const { store, presence } = inMemoryStores();
    store.connect('x');
    await presence.enter('arena', await store.member('x'), 1);
    const messenger = new ScriptedMessenger();

    const result = await announcePresence(
      { store, presence, messenger },
      'leave',
      'arena',
      ann,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ delivered: 1, handedOff: 0 });
    expect(messenger.sent.map((s) => s.connectionId)).toEqual(['x']);
  });
});
