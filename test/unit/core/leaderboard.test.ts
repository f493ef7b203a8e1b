import { describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { ranked, readLeaderboard, submitScore } from '../../../lambdas/core/leaderboard.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { inMemoryStores } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const world = (script?: ConstructorParameters<typeof ScriptedMessenger>[0]) => {
  const { store, leaderboard } = inMemoryStores();
  const messenger = new ScriptedMessenger(script);
  return { store, leaderboard, messenger, ports: { store, leaderboard, messenger } };
};

describe('ranked', () => {
  it('numbers entries from 1 in the order given, keeping player and score', () => {
    expect(
      ranked([
        { player: 'bob', score: 30 },
        { player: 'ann', score: 30 },
        { player: 'cy', score: -2 },
      ]),
    ).toEqual([
      { rank: 1, player: 'bob', score: 30 },
      { rank: 2, player: 'ann', score: 30 },
      { rank: 3, player: 'cy', score: -2 },
    ]);
  });

  it('ranks nothing as nothing', () => {
    expect(ranked([])).toEqual([]);
  });
});

describe('readLeaderboard', () => {
  it('reads the version before the ranking', async () => {
    const { leaderboard } = world();
    await leaderboard.addPoints('cup', 'ann', 5);
    await leaderboard.nextVersion('cup');
    const currentVersion = vi.spyOn(leaderboard, 'currentVersion');
    const top = vi.spyOn(leaderboard, 'top');

    const snapshot = await readLeaderboard(leaderboard, 'cup', 10);

    expect(currentVersion.mock.invocationCallOrder[0]).toBeLessThan(top.mock.invocationCallOrder[0] ?? 0);
    expect(top).toHaveBeenCalledWith('cup', 10);
    expect(snapshot).toEqual({
      type: 'leaderboard',
      board: 'cup',
      version: 1,
      top: [{ rank: 1, player: 'ann', score: 5 }],
    });
  });

  it('skips the ranking of a board nobody scored on (version 0)', async () => {
    const { leaderboard } = world();
    const top = vi.spyOn(leaderboard, 'top');

    const snapshot = await readLeaderboard(leaderboard, 'empty', 10);

    expect(snapshot).toEqual({ type: 'leaderboard', board: 'empty', version: 0, top: [] });
    expect(top).not.toHaveBeenCalled();
  });

  it('returns at most limit entries, best first', async () => {
    const { leaderboard } = world();
    for (const [player, points] of [
      ['a', 1],
      ['b', 4],
      ['c', 3],
    ] as const) {
      await leaderboard.addPoints('cup', player, points);
      await leaderboard.nextVersion('cup');
    }

    const snapshot = await readLeaderboard(leaderboard, 'cup', 2);

    expect(snapshot.top.map((entry) => entry.player)).toEqual(['b', 'c']);
    expect(snapshot.version).toBe(3);
  });
});

describe('submitScore', () => {
  it('adds the points, then bumps the version, then reads the top, then fans out to the board viewers', async () => {
    const { ports, store, leaderboard } = world();
    await store.subscribe('viewer', 'cup', 1);
    const spies = {
      addPoints: vi.spyOn(leaderboard, 'addPoints'),
      nextVersion: vi.spyOn(leaderboard, 'nextVersion'),
      top: vi.spyOn(leaderboard, 'top'),
      subscribers: vi.spyOn(store, 'subscribers'),
    };

    await submitScore(ports, { board: 'cup', player: 'ann', points: 5 }, 10, testFanOutOptions());

    const order = Object.entries(spies)
      .map(([name, spy]) => [name, spy.mock.invocationCallOrder[0] ?? Number.NaN] as const)
      .sort(([, a], [, b]) => a - b)
      .map(([name]) => name);
    expect(order).toEqual(['addPoints', 'nextVersion', 'top', 'subscribers']);
    expect(spies.addPoints).toHaveBeenCalledWith('cup', 'ann', 5);
    expect(spies.top).toHaveBeenCalledWith('cup', 10);
    expect(spies.subscribers).toHaveBeenCalledWith('cup');
  });

  it("pushes the snapshot of the board's top N at the new version to every subscriber of the board", async () => {
    const { ports, store, leaderboard, messenger } = world();
    await leaderboard.addPoints('cup', 'bob', 50);
    await leaderboard.addPoints('cup', 'cy', 40);
    await leaderboard.nextVersion('cup');
    await store.subscribe('v1', 'cup', 1);
    await store.subscribe('v2', 'cup', 1);
    await store.subscribe('other', 'lobby', 1);

    const result = await submitScore(
      ports,
      { board: 'cup', player: 'ann', points: 45 },
      2,
      testFanOutOptions(),
    );

    expect(result).toEqual({
      score: 45,
      version: 2,
      delivered: 2,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['v1', 'v2']);
    expect(new Set(messenger.sent.map((s) => s.frame))).toEqual(
      new Set([
        JSON.stringify({
          type: 'leaderboard',
          board: 'cup',
          version: 2,
          top: [
            { rank: 1, player: 'bob', score: 50 },
            { rank: 2, player: 'ann', score: 45 },
          ],
        }),
      ]),
    );
  });

  it('returns the new total across several scores', async () => {
    const { ports } = world();

    await submitScore(ports, { board: 'cup', player: 'ann', points: 10 }, 5, testFanOutOptions());
    const result = await submitScore(
      ports,
      { board: 'cup', player: 'ann', points: -3 },
      5,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ score: 7, version: 2, delivered: 0 });
  });

  it('removes a viewer that is gone and runs afterRemoval for it', async () => {
    const { store, leaderboard, messenger } = world((id) => (id === 'ghost' ? 'gone' : 'sent'));
    await store.subscribe('ghost', 'cup', 1);
    await store.subscribe('v1', 'cup', 1);
    const afterRemoval = vi.fn(async () => undefined);

    const result = await submitScore(
      { store, leaderboard, messenger, afterRemoval },
      { board: 'cup', player: 'ann', points: 1 },
      5,
      testFanOutOptions(),
    );

    expect(result).toMatchObject({ delivered: 1, gone: 1 });
    expect(store.removed).toEqual(['ghost']);
    expect(afterRemoval).toHaveBeenCalledWith(
      { member: { clientId: 'ghost', connectionId: 'ghost' }, presenceChannels: [] },
      expect.anything(),
    );
  });

  it('bumps no version and pushes nothing when the points are refused', async () => {
    const { ports, store, leaderboard, messenger } = world();
    await store.subscribe('v1', 'cup', 1);
    leaderboard.addPoints = async () => {
      throw new ProtocolError('INVALID_REQUEST', 'out of range');
    };
    const nextVersion = vi.spyOn(leaderboard, 'nextVersion');

    await expect(
      submitScore(ports, { board: 'cup', player: 'ann', points: 1 }, 5, testFanOutOptions()),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(nextVersion).not.toHaveBeenCalled();
    expect(messenger.attempts.size).toBe(0);
  });
});
