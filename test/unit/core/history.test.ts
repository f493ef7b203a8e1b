import { describe, expect, it, vi } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { type MessageEnvelope, messageEnvelope } from '../../../lambdas/core/frames.js';
import { readHistory } from '../../../lambdas/core/history.js';
import { InMemoryHistoryStore } from '../support/in-memory-store.js';

/** A channel whose counter is at `seq` and which still keeps the messages numbered `kept`. */
const channelWith = (seq: number, kept: readonly number[], data: (n: number) => unknown = (n) => `m${n}`) => {
  const store = new InMemoryHistoryStore(new Map([['lobby', seq]]));
  const messages = new Map<number, MessageEnvelope>(
    kept.map((n) => [n, messageEnvelope('lobby', data(n), 'pub', n, 1_000 + n)]),
  );
  store.kept.set('lobby', messages);
  return store;
};

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const seqsOf = (messages: readonly MessageEnvelope[]): number[] => messages.map((m) => m.seq);

/** Bytes one message takes in the budget: its JSON plus a comma. */
const budgetOf = (message: MessageEnvelope): number => Buffer.byteLength(JSON.stringify(message)) + 1;

describe('readHistory', () => {
  describe('latest', () => {
    it('returns the newest N kept messages, oldest first, with the current seq', async () => {
      const store = channelWith(10, range(1, 10));

      const page = await readHistory(store, 'lobby', { latest: 3 });

      expect(page).toEqual({
        seq: 10,
        messages: [8, 9, 10].map((n) => messageEnvelope('lobby', `m${n}`, 'pub', n, 1_000 + n)),
      });
    });

    it('returns what is kept when fewer than N are', async () => {
      const store = channelWith(12, range(9, 12));

      const page = await readHistory(store, 'lobby', { latest: 50 });

      expect(seqsOf(page.messages)).toEqual([9, 10, 11, 12]);
      expect(page).not.toHaveProperty('more');
      expect(page).not.toHaveProperty('recovered');
    });

    it('asks the store for nothing when N is 0', async () => {
      const store = channelWith(3, range(1, 3));
      const latest = vi.spyOn(store, 'latest');

      const page = await readHistory(store, 'lobby', { latest: 0 });

      expect(page).toEqual({ seq: 3, messages: [] });
      expect(latest).not.toHaveBeenCalled();
    });

    it('keeps the newest messages that fit the size budget and says there are more', async () => {
      const store = channelWith(5, range(1, 5), (n) => 'x'.repeat(100 * n));
      const all = await store.latest('lobby', 5);
      const budget = budgetOf(all[3] as MessageEnvelope) + budgetOf(all[4] as MessageEnvelope);

      const page = await readHistory(store, 'lobby', { latest: 5 }, budget);

      expect(seqsOf(page.messages)).toEqual([4, 5]);
      expect(page.more).toBe(true);
    });

    it('reads the seq before the messages', async () => {
      const store = channelWith(4, range(1, 4));
      const currentSequence = vi.spyOn(store, 'currentSequence');
      const latest = vi.spyOn(store, 'latest');

      await readHistory(store, 'lobby', { latest: 2 });

      expect(currentSequence.mock.invocationCallOrder[0]).toBeLessThan(
        latest.mock.invocationCallOrder[0] ?? 0,
      );
    });
  });

  describe('since', () => {
    it('returns every message after since, oldest first, recovered', async () => {
      const store = channelWith(10, range(1, 10));

      const page = await readHistory(store, 'lobby', { since: 6, limit: 50 });

      expect(seqsOf(page.messages)).toEqual([7, 8, 9, 10]);
      expect(page).toMatchObject({ seq: 10, recovered: true });
      expect(page).not.toHaveProperty('more');
    });

    it('is not recovered when the first message after since is no longer kept', async () => {
      // Keeps 5: the messages 1..5 were trimmed.
      const store = channelWith(10, range(6, 10));

      const page = await readHistory(store, 'lobby', { since: 4, limit: 50, window: 5 });

      expect(page.recovered).toBe(false);
      expect(seqsOf(page.messages)).toEqual([6, 7, 8, 9, 10]);
    });

    it('is recovered when a missed message within the window is not kept yet (its publish is in flight)', async () => {
      // 5 has its seq but its publisher has not kept it yet; 6 and 7 are kept. The channel keeps 50.
      const store = channelWith(7, [6, 7]);

      const page = await readHistory(store, 'lobby', { since: 4, limit: 50, window: 50 });

      expect(page.recovered).toBe(true);
      expect(seqsOf(page.messages)).toEqual([6, 7]);
    });

    it('is recovered when exactly the first missed message is still kept', async () => {
      const store = channelWith(10, range(6, 10));

      const page = await readHistory(store, 'lobby', { since: 5, limit: 50 });

      expect(page.recovered).toBe(true);
    });

    it('is not recovered when nothing after since is kept and since is beyond the window', async () => {
      const store = channelWith(10, []);

      const page = await readHistory(store, 'lobby', { since: 7, limit: 50, window: 2 });

      expect(page).toEqual({ seq: 10, messages: [], recovered: false });
    });

    it('has nothing missed, recovered, when since is the current seq (without reading messages)', async () => {
      const store = channelWith(10, range(1, 10));
      const after = vi.spyOn(store, 'after');

      const page = await readHistory(store, 'lobby', { since: 10, limit: 50 });

      expect(page).toEqual({ seq: 10, messages: [], recovered: true });
      expect(after).not.toHaveBeenCalled();
    });

    it('is not recovered when since is beyond the seq: the channel restarted its sequence', async () => {
      const store = channelWith(2, range(1, 2));
      const after = vi.spyOn(store, 'after');

      const page = await readHistory(store, 'lobby', { since: 41, limit: 50 });

      expect(page).toEqual({ seq: 2, messages: [], recovered: false });
      expect(after).not.toHaveBeenCalled();
    });

    it('says there is more when the limit stops it before the seq', async () => {
      const store = channelWith(10, range(1, 10));
      const after = vi.spyOn(store, 'after');

      const page = await readHistory(store, 'lobby', { since: 2, limit: 3 });

      expect(after).toHaveBeenCalledWith('lobby', 2, 3);
      expect(page).toEqual({
        seq: 10,
        messages: expect.any(Array),
        recovered: true,
        more: true,
      });
      expect(seqsOf(page.messages)).toEqual([3, 4, 5]);
    });

    it('says there is more when the size budget truncates, keeping the oldest that fit', async () => {
      const store = channelWith(6, range(1, 6), () => 'y'.repeat(200));
      const kept = await store.after('lobby', 0, 6);
      const budget = budgetOf(kept[0] as MessageEnvelope) * 2 + 10;

      const page = await readHistory(store, 'lobby', { since: 0, limit: 50 }, budget);

      expect(seqsOf(page.messages)).toEqual([1, 2]);
      expect(page).toMatchObject({ recovered: true, more: true });
    });

    it('does not say more when the last message returned is the current one', async () => {
      const store = channelWith(3, range(1, 3));

      const page = await readHistory(store, 'lobby', { since: 0, limit: 3 });

      expect(seqsOf(page.messages)).toEqual([1, 2, 3]);
      expect(page).not.toHaveProperty('more');
    });

    it('is not recovered, and returns nothing, when the first missed message is too large for a reply', async () => {
      const store = channelWith(2, range(1, 2), (n) =>
        n === 1 ? 'z'.repeat(MAX_FRAME_BYTES - 500) : 'small',
      );

      const page = await readHistory(store, 'lobby', { since: 0, limit: 50 });

      expect(page).toEqual({ seq: 2, messages: [], recovered: false });
    });

    it('is not recovered when the channel keeps nothing (a limit of 0)', async () => {
      const store = channelWith(4, []);

      const page = await readHistory(store, 'lobby', { since: 1, limit: 0 });

      expect(page).toEqual({ seq: 4, messages: [], recovered: false });
    });

    it('reads the seq before the messages, so a message published in between is in the page or newer than seq', async () => {
      const store = channelWith(4, range(1, 4));
      const currentSequence = vi.spyOn(store, 'currentSequence');
      const after = vi.spyOn(store, 'after');

      await readHistory(store, 'lobby', { since: 1, limit: 50 });

      expect(currentSequence).toHaveBeenCalledWith('lobby');
      expect(currentSequence.mock.invocationCallOrder[0]).toBeLessThan(
        after.mock.invocationCallOrder[0] ?? 0,
      );
    });
  });

  it('uses a budget of the frame limit minus room for the reply around the messages', async () => {
    // Three messages of ~43 KB: all fit in 128 KiB raw, but not once 1 KiB is left for the rest of the reply.
    const size = Math.floor((MAX_FRAME_BYTES - 500) / 3);
    const store = channelWith(3, range(1, 3), () => 'w'.repeat(size - 100));
    const kept = await store.after('lobby', 0, 3);
    const total = kept.reduce((sum, m) => sum + budgetOf(m), 0);
    expect(total).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(total).toBeGreaterThan(MAX_FRAME_BYTES - 1_024);

    const page = await readHistory(store, 'lobby', { since: 0, limit: 50 });

    expect(seqsOf(page.messages)).toEqual([1, 2]);
    expect(page.more).toBe(true);
  });
});
