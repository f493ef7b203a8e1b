import { describe, expect, it, vi } from 'vitest';
import {
  type ChannelLimits,
  publishToChannel,
  subscribeToChannel,
  unsubscribeFromChannel,
} from '../../../lambdas/core/channels.js';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { messageEnvelope } from '../../../lambdas/core/frames.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { inMemoryStores } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const LIMITS: ChannelLimits = { historySize: 5, leaderboardSize: 3 };

/** The stores in memory, a messenger, and a publisher that fills a channel's history. */
const world = (script?: ConstructorParameters<typeof ScriptedMessenger>[0]) => {
  const stores = inMemoryStores();
  const messenger = new ScriptedMessenger(script);
  const ports = { ...stores, messenger };
  const published = async (channel: string, count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) {
      const seq = await stores.store.nextSequence(channel);
      await stores.history.keep(messageEnvelope(channel, i, 'pub', seq, 1_000), LIMITS.historySize, 1);
    }
  };
  return { ...stores, messenger, ports, published };
};

/** The order in which spies were first called, by name. */
const callOrder = (spies: Record<string, { mock: { invocationCallOrder: number[] } }>): string[] =>
  Object.entries(spies)
    .filter(([, spy]) => spy.mock.invocationCallOrder.length > 0)
    .sort(([, a], [, b]) => (a.mock.invocationCallOrder[0] ?? 0) - (b.mock.invocationCallOrder[0] ?? 0))
    .map(([name]) => name);

describe('subscribeToChannel', () => {
  it('expires the subscription 2 h 10 min after the connection opened', async () => {
    const { ports, store } = world();

    await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', connectedAt: 1_000_000_000 },
      LIMITS,
      1_000_500_000,
      testFanOutOptions(),
    );

    expect(store.channels.get('lobby')?.get('a')).toBe(1_000_000 + 7_800);
  });

  it('falls back to now when the event has no connectedAt', async () => {
    const { ports, store } = world();

    await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby' },
      LIMITS,
      2_000_000_000,
      testFanOutOptions(),
    );

    expect(store.channels.get('lobby')?.get('a')).toBe(2_000_000 + 7_800);
  });

  it("acks with the channel's latest seq alone when no history was asked for and nobody scored", async () => {
    const { ports, published, history } = world();
    await published('lobby', 3);
    const after = vi.spyOn(history, 'after');
    const latest = vi.spyOn(history, 'latest');

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby' },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result).toEqual({ seq: 3 });
    expect(after).not.toHaveBeenCalled();
    expect(latest).not.toHaveBeenCalled();
  });

  it('acks seq 0 on a channel nobody published to', async () => {
    const { ports } = world();

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'new' },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result).toEqual({ seq: 0 });
  });

  it('writes the subscription before it reads the history, so no message falls between the two', async () => {
    const { ports, published, store, history, leaderboard } = world();
    await published('lobby', 2);
    const spies = {
      subscribe: vi.spyOn(store, 'subscribe'),
      currentSequence: vi.spyOn(history, 'currentSequence'),
      after: vi.spyOn(history, 'after'),
      currentVersion: vi.spyOn(leaderboard, 'currentVersion'),
    };

    await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', since: 0 },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(callOrder(spies)[0]).toBe('subscribe');
    expect(callOrder(spies)).toEqual(expect.arrayContaining(['currentSequence', 'after', 'currentVersion']));
    expect(spies.currentSequence.mock.invocationCallOrder[0]).toBeLessThan(
      spies.after.mock.invocationCallOrder[0] ?? 0,
    );
  });

  it('with history: true, returns the kept history (at most HISTORY_SIZE), oldest first', async () => {
    const { ports, published } = world();
    await published('lobby', 7);

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', history: true },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result.seq).toBe(7);
    expect(result.history?.messages.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(result.history).not.toHaveProperty('recovered');
  });

  it('with a history count, returns that many of the newest, capped at HISTORY_SIZE', async () => {
    const { ports, published, history } = world();
    await published('lobby', 7);
    const latest = vi.spyOn(history, 'latest');

    const two = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', history: 2 },
      LIMITS,
      0,
      testFanOutOptions(),
    );
    const many = await subscribeToChannel(
      ports,
      { connectionId: 'b', channel: 'lobby', history: 50 },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(two.history?.messages.map((m) => m.seq)).toEqual([6, 7]);
    expect(many.history?.messages).toHaveLength(5);
    expect(latest.mock.calls.map((call) => call[1])).toEqual([2, 5]);
  });

  it('with history: false, returns no history', async () => {
    const { ports, published } = world();
    await published('lobby', 2);

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', history: false },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result).toEqual({ seq: 2 });
  });

  it('with since, returns what was missed and whether all of it was recovered; since wins over history', async () => {
    const { ports, published, history } = world();
    await published('lobby', 6);
    const after = vi.spyOn(history, 'after');

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'lobby', since: 3, history: 1 },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result).toEqual({
      seq: 6,
      history: { messages: expect.any(Array), recovered: true },
    });
    expect(result.history?.messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(after).toHaveBeenCalledWith('lobby', 3, LIMITS.historySize);
  });

  it("includes the board's snapshot (LEADERBOARD_SIZE entries) when the channel is a board someone scored on", async () => {
    const { ports, leaderboard } = world();
    for (const [player, points] of [
      ['ann', 10],
      ['bob', 30],
      ['cy', 20],
      ['dee', 5],
    ] as const) {
      await leaderboard.addPoints('cup', player, points);
      await leaderboard.nextVersion('cup');
    }

    const result = await subscribeToChannel(
      ports,
      { connectionId: 'a', channel: 'cup' },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(result.leaderboard).toEqual({
      type: 'leaderboard',
      board: 'cup',
      version: 4,
      top: [
        { rank: 1, player: 'bob', score: 30 },
        { rank: 2, player: 'cy', score: 20 },
        { rank: 3, player: 'ann', score: 10 },
      ],
    });
  });

  describe('with presence: true', () => {
    it('enters the presence as the member it is, expiring with the connection, and announces the join', async () => {
      const { ports, store, presence, messenger } = world();
      store.connectAs('a', 'ann', 'Ann');
      store.connect('b', 'elsewhere');
      await presence.enter('lobby', await store.member('b'), 1);
      await presence.enter('other', await store.member('elsewhere'), 1);

      await subscribeToChannel(
        ports,
        { connectionId: 'a', channel: 'lobby', presence: true, connectedAt: 1_000_000_000 },
        LIMITS,
        0,
        testFanOutOptions(),
      );

      const ann = { clientId: 'ann', name: 'Ann', connectionId: 'a' };
      expect(presence.channels.get('lobby')?.get('a')).toEqual(ann);
      expect(presence.expiries.get('lobby|a')).toBe(1_000_000 + 7_800);
      // Everyone present hears it, the newcomer included (it entered first).
      expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['a', 'b']);
      expect(messenger.sent.map((s) => JSON.parse(s.frame))).toEqual([
        { type: 'join', channel: 'lobby', member: ann },
        { type: 'join', channel: 'lobby', member: ann },
      ]);
    });

    it('takes the subscription back when entering the presence fails (never half-written)', async () => {
      // Prepare
      const { ports, store, presence, messenger } = world();
      store.connectAs('a', 'ann', 'Ann');
      vi.spyOn(presence, 'enter').mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'));

      // Act
      const outcome = subscribeToChannel(
        ports,
        { connectionId: 'a', channel: 'lobby', presence: true },
        LIMITS,
        0,
        testFanOutOptions(),
      );

      // Assess
      await expect(outcome).rejects.toThrow('ProvisionedThroughputExceededException');
      expect(store.channels.get('lobby')?.has('a') ?? false).toBe(false);
      expect(messenger.sent).toEqual([]);
    });

    it('enters and announces only after the subscription is written', async () => {
      const { ports, store, presence } = world();
      const spies = {
        subscribe: vi.spyOn(store, 'subscribe'),
        enter: vi.spyOn(presence, 'enter'),
        recipients: vi.spyOn(presence, 'recipients'),
      };

      await subscribeToChannel(
        ports,
        { connectionId: 'a', channel: 'lobby', presence: true },
        LIMITS,
        0,
        testFanOutOptions(),
      );

      expect(callOrder(spies)).toEqual(['subscribe', 'enter', 'recipients']);
    });
  });

  it.each([
    ['absent', undefined],
    ['false', false],
  ])('neither enters the presence nor announces anything when presence is %s', async (_, presenceFlag) => {
    const { ports, store, presence, messenger } = world();
    store.connect('a', 'b');
    await presence.enter('lobby', await store.member('b'), 1);
    const member = vi.spyOn(store, 'member');

    await subscribeToChannel(
      ports,
      {
        connectionId: 'a',
        channel: 'lobby',
        ...(presenceFlag === undefined ? {} : { presence: presenceFlag }),
      },
      LIMITS,
      0,
      testFanOutOptions(),
    );

    expect(presence.channels.get('lobby')?.has('a')).toBe(false);
    expect(member).not.toHaveBeenCalled();
    expect(messenger.attempts.size).toBe(0);
  });
});

describe('unsubscribeFromChannel', () => {
  it('removes only that subscription', async () => {
    const { ports, store } = world();
    await store.subscribe('a', 'lobby', 1);
    await store.subscribe('b', 'lobby', 1);

    await unsubscribeFromChannel(ports, { connectionId: 'a', channel: 'lobby' }, testFanOutOptions());

    expect([...(store.channels.get('lobby')?.keys() ?? [])]).toEqual(['b']);
  });

  it('leaves the presence and announces the leave to those still present', async () => {
    const { ports, store, presence, messenger } = world();
    store.connectAs('a', 'ann');
    store.connect('b', 'c');
    for (const id of ['a', 'b', 'c']) await presence.enter('lobby', await store.member(id), 1);

    await unsubscribeFromChannel(ports, { connectionId: 'a', channel: 'lobby' }, testFanOutOptions());

    expect([...(presence.channels.get('lobby')?.keys() ?? [])].sort()).toEqual(['b', 'c']);
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['b', 'c']);
    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toEqual({
      type: 'leave',
      channel: 'lobby',
      member: { clientId: 'ann', connectionId: 'a' },
    });
  });

  it('announces nothing when the connection was not present', async () => {
    const { ports, store, presence, messenger } = world();
    store.connect('a', 'b');
    await store.subscribe('a', 'lobby', 1);
    await presence.enter('lobby', await store.member('b'), 1);

    await unsubscribeFromChannel(ports, { connectionId: 'a', channel: 'lobby' }, testFanOutOptions());

    expect(messenger.attempts.size).toBe(0);
  });
});

describe('publishToChannel', () => {
  const subscribed = async (...ids: string[]) => {
    const w = world();
    for (const id of ids) {
      await w.store.subscribe(id, 'lobby', 1);
    }
    await w.store.subscribe('elsewhere', 'other', 1);
    return w;
  };

  it('sends the envelope to every subscriber of the channel, the publisher included', async () => {
    const { ports, messenger } = await subscribed('pub', 's1', 's2');
    const options = testFanOutOptions();

    const result = await publishToChannel(
      ports,
      { connectionId: 'pub', channel: 'lobby', data: { score: 42 } },
      LIMITS.historySize,
      options,
    );

    expect(result).toEqual({
      seq: 1,
      delivered: 3,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
    });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['pub', 's1', 's2']);
    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toEqual({
      type: 'message',
      channel: 'lobby',
      data: { score: 42 },
      from: 'pub',
      // A connection without a META item is known by its connection id.
      author: { clientId: 'pub' },
      seq: 1,
      sentAt: 1_000_000,
    });
  });

  it('stamps the author with the client id and name the publisher gave at connect', async () => {
    const { ports, store, messenger } = await subscribed('s1');
    store.connectAs('pub', 'ann-laptop', 'Ann');

    await publishToChannel(ports, { connectionId: 'pub', channel: 'lobby', data: 1 }, 5, testFanOutOptions());

    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toMatchObject({
      from: 'pub',
      author: { clientId: 'ann-laptop', name: 'Ann' },
    });
  });

  it('numbers consecutive publishes on a channel 1, 2, 3', async () => {
    const { ports, messenger } = await subscribed('s1');
    const seqs: number[] = [];

    for (let i = 0; i < 3; i += 1) {
      const { seq } = await publishToChannel(
        ports,
        { connectionId: 'p', channel: 'lobby', data: i },
        LIMITS.historySize,
        testFanOutOptions(),
      );
      seqs.push(seq);
    }

    expect(seqs).toEqual([1, 2, 3]);
    expect(messenger.sent.map((s) => JSON.parse(s.frame).seq)).toEqual([1, 2, 3]);
  });

  it('keeps the exact envelope in the history, expiring 24 h after it was sent, keeping HISTORY_SIZE', async () => {
    const { ports, history, messenger } = await subscribed('s1');
    const keep = vi.spyOn(history, 'keep');

    await publishToChannel(ports, { connectionId: 'p', channel: 'lobby', data: 'x' }, 7, testFanOutOptions());

    expect(keep).toHaveBeenCalledTimes(1);
    expect(keep.mock.calls[0]?.[0]).toEqual(JSON.parse(messenger.sent[0]?.frame ?? ''));
    expect(keep.mock.calls[0]?.slice(1)).toEqual([7, 1_000 + 86_400]);
  });

  it('keeps the message before it reads the subscribers, so a new subscriber sees it one way or the other', async () => {
    const { ports, store, history } = await subscribed('s1');
    const spies = {
      nextSequence: vi.spyOn(store, 'nextSequence'),
      keep: vi.spyOn(history, 'keep'),
      subscribers: vi.spyOn(store, 'subscribers'),
    };

    await publishToChannel(ports, { connectionId: 'p', channel: 'lobby', data: 'x' }, 5, testFanOutOptions());

    expect(callOrder(spies)).toEqual(['nextSequence', 'keep', 'subscribers']);
  });

  it('keeps nothing when HISTORY_SIZE is 0, and still delivers', async () => {
    const { ports, history } = await subscribed('s1');
    const keep = vi.spyOn(history, 'keep');

    const result = await publishToChannel(
      ports,
      { connectionId: 'p', channel: 'lobby', data: 1 },
      0,
      testFanOutOptions(),
    );

    expect(keep).not.toHaveBeenCalled();
    expect(result).toMatchObject({ seq: 1, delivered: 1 });
  });

  it('reports subscribers that are gone and removes them', async () => {
    const w = world((id) => (id === 'ghost' ? 'gone' : 'sent'));
    await w.store.subscribe('s1', 'lobby', 1);
    await w.store.subscribe('ghost', 'lobby', 1);

    const result = await publishToChannel(
      w.ports,
      { connectionId: 'pub', channel: 'lobby', data: 1 },
      LIMITS.historySize,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ delivered: 1, gone: 1 });
    expect(w.store.removed).toEqual(['ghost']);
  });

  it('rejects an oversized message with PAYLOAD_TOO_LARGE before taking a sequence number, keeping or sending', async () => {
    const { ports, store, history, messenger } = await subscribed('s1');
    const nextSequence = vi.spyOn(store, 'nextSequence');
    const keep = vi.spyOn(history, 'keep');

    const attempt = publishToChannel(
      ports,
      { connectionId: 'pub', channel: 'lobby', data: 'x'.repeat(MAX_FRAME_BYTES - 50) },
      LIMITS.historySize,
      testFanOutOptions(),
    );

    await expect(attempt).rejects.toBeInstanceOf(ProtocolError);
    await expect(attempt).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(nextSequence).not.toHaveBeenCalled();
    expect(store.sequences.size).toBe(0);
    expect(keep).not.toHaveBeenCalled();
    expect(messenger.attempts.size).toBe(0);
  });

  it('counts the author in the size check', async () => {
    const { ports, store } = await subscribed('s1');
    store.connectAs('pub', 'c'.repeat(64), 'n'.repeat(64));
    const withoutAuthor = JSON.stringify(
      messageEnvelope('lobby', '', 'pub', Number.MAX_SAFE_INTEGER, 1_000_000),
    ).length;

    // Fits without the author, but not with it.
    const attempt = publishToChannel(
      ports,
      { connectionId: 'pub', channel: 'lobby', data: 'x'.repeat(MAX_FRAME_BYTES - withoutAuthor) },
      LIMITS.historySize,
      testFanOutOptions(),
    );

    await expect(attempt).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(store.sequences.size).toBe(0);
  });

  it('accepts the largest data whose envelope still fits', async () => {
    const { ports } = await subscribed('s1');
    const overhead = JSON.stringify({
      type: 'message',
      channel: 'lobby',
      data: '',
      from: 'pub',
      author: { clientId: 'pub' },
      seq: Number.MAX_SAFE_INTEGER,
      sentAt: 1_000_000,
    }).length;

    const result = await publishToChannel(
      ports,
      { connectionId: 'pub', channel: 'lobby', data: 'x'.repeat(MAX_FRAME_BYTES - overhead) },
      LIMITS.historySize,
      testFanOutOptions(),
    );

    expect(result.delivered).toBe(1);
  });
});
