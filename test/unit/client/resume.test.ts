import { describe, expect, it } from 'vitest';
import { ChannelStream, type MessageEnvelope } from '../../../client/index.js';

const message = (seq: number, data: unknown = `m${seq}`): MessageEnvelope => ({
  type: 'message',
  channel: 'lobby',
  data,
  from: 'conn',
  seq,
  sentAt: 0,
});

const messages = (...seqs: number[]): MessageEnvelope[] => seqs.map((seq) => message(seq));

/** A stream that records the seqs it delivers, already live after `lastSeq`. */
const liveStream = (lastSeq: number) => {
  const delivered: MessageEnvelope[] = [];
  const stream = new ChannelStream((m) => delivered.push(m));
  const epoch = stream.beginSync();
  stream.startAfter(lastSeq);
  stream.settle(lastSeq, epoch, false);
  return { stream, delivered, seqs: () => delivered.map((m) => m.seq) };
};

describe('ChannelStream', () => {
  describe('#receive', () => {
    it('delivers the next seq at once and drops seqs already delivered', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);

      // Act
      const outcomes = [stream.receive(message(11)), stream.receive(message(11)), stream.receive(message(9))];

      // Assess
      expect(outcomes).toEqual(['delivered', 'dropped', 'dropped']);
      expect(seqs()).toEqual([11]);
      expect(stream.lastSeq).toBe(11);
    });

    it('holds a message that arrives before an earlier one and delivers both in order when the gap closes', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);

      // Act
      const early = stream.receive(message(12));
      const held = seqs();
      const late = stream.receive(message(11));

      // Assess
      expect(early).toBe('gap');
      expect(held).toEqual([]);
      expect(late).toBe('delivered');
      expect(seqs()).toEqual([11, 12]);
      expect(stream.heldCount).toBe(0);
    });

    it('holds every live message while a subscribe is in flight', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);
      stream.beginSync();

      // Act
      const outcome = stream.receive(message(11));

      // Assess
      expect(outcome).toBe('held');
      expect(seqs()).toEqual([]);
    });
  });

  describe('sync (subscribe ack)', () => {
    it('delivers the ack history, then the live messages held meanwhile, in seq order without duplicates', () => {
      // Prepare
      const { stream, seqs } = liveStream(40);
      const epoch = stream.beginSync();
      stream.receive(message(44));
      stream.receive(message(43));
      stream.receive(message(45));

      // Act
      stream.applyHistory(messages(41, 42, 43));
      const gap = stream.settle(45, epoch, false);

      // Assess
      expect(seqs()).toEqual([41, 42, 43, 44, 45]);
      expect(gap).toBe(false);
      expect(stream.syncing).toBe(false);
    });

    it('prefers the history copy of a seq over a held live copy', () => {
      // Prepare
      const { stream, delivered } = liveStream(0);
      const epoch = stream.beginSync();
      stream.receive(message(1, 'live'));

      // Act
      stream.applyHistory([message(1, 'history')]);
      stream.settle(1, epoch, false);

      // Assess
      expect(delivered.map((m) => m.data)).toEqual(['history']);
    });

    it('delivers nothing before settle, even across history pages', () => {
      // Prepare
      const { stream, seqs } = liveStream(0);
      const epoch = stream.beginSync();

      // Act
      stream.applyHistory(messages(1, 2));
      const beforeSettle = seqs();
      stream.applyHistory(messages(3, 4));
      stream.settle(4, epoch, false);

      // Assess
      expect(beforeSettle).toEqual([]);
      expect(seqs()).toEqual([1, 2, 3, 4]);
    });

    it('starts at the oldest history message when there is no position yet', () => {
      // Prepare
      const delivered: number[] = [];
      const stream = new ChannelStream((m) => delivered.push(m.seq));
      const epoch = stream.beginSync();

      // Act
      stream.applyHistory(messages(7, 8, 9));
      stream.settle(9, epoch, false);

      // Assess
      expect(delivered).toEqual([7, 8, 9]);
    });

    it('keeps a message behind a hole held, since the missing seq may still be in flight', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);
      const epoch = stream.beginSync();

      // Act
      stream.applyHistory(messages(11, 13));
      const gap = stream.settle(13, epoch, false);

      // Assess
      expect(seqs()).toEqual([11]);
      expect(gap).toBe(true);
      expect(stream.receive(message(12))).toBe('delivered');
      expect(seqs()).toEqual([11, 12, 13]);
    });

    it('drops a held message above the latest seq that arrived before the request (a forged frame)', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);
      stream.receive(message(999));
      const epoch = stream.beginSync();

      // Act
      stream.applyHistory(messages(11));
      const gap = stream.settle(11, epoch, false);

      // Assess
      expect(gap).toBe(false);
      expect(seqs()).toEqual([11]);
      expect(stream.receive(message(12))).toBe('delivered');
    });

    it('keeps a held message above the latest seq that arrived after the request', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);
      const epoch = stream.beginSync();
      stream.receive(message(13));

      // Act
      stream.applyHistory(messages(11));
      const gap = stream.settle(11, epoch, false);

      // Assess
      expect(gap).toBe(true);
      stream.receive(message(12));
      expect(seqs()).toEqual([11, 12, 13]);
    });
  });

  describe('fill (history read for a gap)', () => {
    it('skips seqs that history does not have either and delivers what was held above them', () => {
      // Prepare
      const { stream, seqs } = liveStream(10);
      stream.receive(message(14));
      const epoch = stream.beginFill();

      // Act
      stream.applyHistory(messages(12, 14));
      const gap = stream.settle(14, epoch, true);

      // Assess
      expect(seqs()).toEqual([12, 14]);
      expect(gap).toBe(false);
      expect(stream.receive(message(11))).toBe('dropped');
    });
  });

  describe('#forget', () => {
    it('lets the next history become the start, even below the old position', () => {
      // Prepare
      const { stream, seqs } = liveStream(50);
      const epoch = stream.beginSync();

      // Act
      stream.forget();
      stream.applyHistory(messages(3, 4));
      stream.settle(4, epoch, false);

      // Assess
      expect(seqs()).toEqual([3, 4]);
    });
  });

  describe('#releaseAll', () => {
    it('delivers everything held, in order', () => {
      // Prepare
      const { stream, seqs } = liveStream(1);
      stream.receive(message(5));
      stream.receive(message(3));

      // Act
      stream.releaseAll();

      // Assess
      expect(seqs()).toEqual([3, 5]);
      expect(stream.heldCount).toBe(0);
    });
  });
});
