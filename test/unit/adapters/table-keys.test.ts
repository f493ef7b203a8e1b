import { describe, expect, it } from 'vitest';
import {
  boardVersionKey,
  broadcastKey,
  broadcastShard,
  connectionKey,
  messageKey,
  playerKey,
  presenceKey,
  sequenceKey,
  subscriptionKey,
} from '../../../lambdas/adapters/table-keys.js';

describe('table keys', () => {
  it('follow the README table design', () => {
    expect(connectionKey('abc=')).toEqual({ pk: 'CONN#abc=', sk: 'META' });
    expect(subscriptionKey('lobby', 'abc=')).toEqual({ pk: 'CHAN#lobby', sk: 'CONN#abc=' });
    expect(sequenceKey('lobby')).toEqual({ pk: 'CHAN#lobby', sk: '#SEQ' });
    expect(broadcastKey('abc=')).toEqual({ pk: `ALL#${broadcastShard('abc=')}`, sk: 'CONN#abc=' });
    expect(messageKey('lobby', 42)).toEqual({ pk: 'CHAN#lobby', sk: 'MSG#0000000000000042' });
    expect(playerKey('cup', 'ann')).toEqual({ pk: 'BOARD#cup', sk: 'PLAYER#ann' });
    expect(boardVersionKey('cup')).toEqual({ pk: 'BOARD#cup', sk: '#VERSION' });
    expect(presenceKey('lobby', 'abc=')).toEqual({ pk: 'PRES#lobby', sk: 'CONN#abc=' });
  });

  it('sorts kept messages by seq as strings, up to the largest safe seq', () => {
    const seqs = [1, 2, 9, 10, 99, 100, 12_345, 1_000_000_000, Number.MAX_SAFE_INTEGER];
    const keys = seqs.map((seq) => messageKey('lobby', seq).sk);

    expect([...keys].reverse().sort()).toEqual(keys);
    expect(new Set(keys.map((key) => key.length)).size).toBe(1);
  });

  it('keeps the kept messages apart from the subscriptions and the counter of the channel', () => {
    const message = messageKey('lobby', 1);

    expect(message.pk).toBe(subscriptionKey('lobby', 'x').pk);
    expect(message.sk.startsWith('CONN#')).toBe(false);
    expect(message.sk).not.toBe(sequenceKey('lobby').sk);
  });
});

describe('broadcastShard', () => {
  it('is stable for an id', () => {
    expect(broadcastShard('L0SM9cOFvHcCIhw=')).toBe(broadcastShard('L0SM9cOFvHcCIhw='));
  });

  it('spreads ids over all four shards, roughly evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i += 1) {
      const shard = broadcastShard(`conn-${i}=`);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    expect(counts).toHaveLength(4);
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1_200);
    }
  });
});
