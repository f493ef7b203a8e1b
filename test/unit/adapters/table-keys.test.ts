import { describe, expect, it } from 'vitest';
import {
  broadcastKey,
  broadcastShard,
  connectionKey,
  sequenceKey,
  subscriptionKey,
} from '../../../lambdas/adapters/table-keys.js';

describe('table keys', () => {
  it('follow the README table design', () => {
    expect(connectionKey('abc=')).toEqual({ pk: 'CONN#abc=', sk: 'META' });
    expect(subscriptionKey('lobby', 'abc=')).toEqual({ pk: 'CHAN#lobby', sk: 'CONN#abc=' });
    expect(sequenceKey('lobby')).toEqual({ pk: 'CHAN#lobby', sk: '#SEQ' });
    expect(broadcastKey('abc=')).toEqual({ pk: `ALL#${broadcastShard('abc=')}`, sk: 'CONN#abc=' });
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
