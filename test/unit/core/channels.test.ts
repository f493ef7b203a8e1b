import { describe, expect, it } from 'vitest';
import {
  publishToChannel,
  subscribeToChannel,
  unsubscribeFromChannel,
} from '../../../lambdas/core/channels.js';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

describe('subscribeToChannel', () => {
  it('expires the subscription 2 h 10 min after the connection opened', async () => {
    const store = new InMemoryStore();

    await subscribeToChannel(
      store,
      { connectionId: 'a', channel: 'lobby', connectedAt: 1_000_000_000 },
      1_000_500_000,
    );

    expect(store.channels.get('lobby')?.get('a')).toBe(1_000_000 + 7_800);
  });

  it('falls back to now when the event has no connectedAt', async () => {
    const store = new InMemoryStore();

    await subscribeToChannel(store, { connectionId: 'a', channel: 'lobby' }, 2_000_000_000);

    expect(store.channels.get('lobby')?.get('a')).toBe(2_000_000 + 7_800);
  });
});

describe('unsubscribeFromChannel', () => {
  it('removes only that subscription', async () => {
    const store = new InMemoryStore();
    await store.subscribe('a', 'lobby', 1);
    await store.subscribe('b', 'lobby', 1);

    await unsubscribeFromChannel(store, { connectionId: 'a', channel: 'lobby' });

    expect([...(store.channels.get('lobby')?.keys() ?? [])]).toEqual(['b']);
  });
});

describe('publishToChannel', () => {
  const subscribed = async (...ids: string[]): Promise<InMemoryStore> => {
    const store = new InMemoryStore();
    for (const id of ids) {
      await store.subscribe(id, 'lobby', 1);
    }
    await store.subscribe('elsewhere', 'other', 1);
    return store;
  };

  it('sends the envelope to every subscriber of the channel, the publisher included', async () => {
    const store = await subscribed('pub', 's1', 's2');
    const messenger = new ScriptedMessenger();
    const options = testFanOutOptions();

    const result = await publishToChannel(
      { store, messenger },
      { connectionId: 'pub', channel: 'lobby', data: { score: 42 } },
      options,
    );

    expect(result).toEqual({ seq: 1, delivered: 3, gone: 0, failed: 0 });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['pub', 's1', 's2']);
    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toEqual({
      type: 'message',
      channel: 'lobby',
      data: { score: 42 },
      from: 'pub',
      seq: 1,
      sentAt: 1_000_000,
    });
  });

  it('numbers consecutive publishes on a channel 1, 2, 3', async () => {
    const store = await subscribed('s1');
    const messenger = new ScriptedMessenger();
    const seqs: number[] = [];

    for (let i = 0; i < 3; i += 1) {
      const { seq } = await publishToChannel(
        { store, messenger },
        { connectionId: 'p', channel: 'lobby', data: i },
        testFanOutOptions(),
      );
      seqs.push(seq);
    }

    expect(seqs).toEqual([1, 2, 3]);
    expect(messenger.sent.map((s) => JSON.parse(s.frame).seq)).toEqual([1, 2, 3]);
  });

  it('reports subscribers that are gone and removes them', async () => {
    const store = await subscribed('s1', 'ghost');
    const messenger = new ScriptedMessenger((id) => (id === 'ghost' ? 'gone' : 'sent'));

    const result = await publishToChannel(
      { store, messenger },
      { connectionId: 'pub', channel: 'lobby', data: 1 },
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ delivered: 1, gone: 1 });
    expect(store.removed).toEqual(['ghost']);
  });

  it('rejects an oversized message with PAYLOAD_TOO_LARGE before taking a sequence number or sending', async () => {
    const store = await subscribed('s1');
    const messenger = new ScriptedMessenger();

    const attempt = publishToChannel(
      { store, messenger },
      { connectionId: 'pub', channel: 'lobby', data: 'x'.repeat(MAX_FRAME_BYTES - 50) },
      testFanOutOptions(),
    );

    await expect(attempt).rejects.toBeInstanceOf(ProtocolError);
    await expect(attempt).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(store.sequences.size).toBe(0);
    expect(messenger.attempts.size).toBe(0);
  });

  it('accepts the largest data whose envelope still fits', async () => {
    const store = await subscribed('s1');
    const messenger = new ScriptedMessenger();
    const overhead = JSON.stringify({
      type: 'message',
      channel: 'lobby',
      data: '',
      from: 'pub',
      seq: Number.MAX_SAFE_INTEGER,
      sentAt: 1_000_000,
    }).length;

    const result = await publishToChannel(
      { store, messenger },
      { connectionId: 'pub', channel: 'lobby', data: 'x'.repeat(MAX_FRAME_BYTES - overhead) },
      testFanOutOptions(),
    );

    expect(result.delivered).toBe(1);
  });
});
