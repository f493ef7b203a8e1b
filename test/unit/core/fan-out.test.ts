import { describe, expect, it, vi } from 'vitest';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import { type FanOutOptions, type FanOutProblem, fanOut } from '../../../lambdas/core/fan-out.js';
import type { RemovedConnection } from '../../../lambdas/core/ports.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore, pagesOf } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const ids = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('fanOut', () => {
  it('delivers the frame to every recipient across several pages', async () => {
    // Prepare
    const store = new InMemoryStore();
    const messenger = new ScriptedMessenger();
    const pages = [ids('a', 3), ids('b', 3), ids('c', 2)];

    // Act
    const result = await fanOut(pagesOf(pages), 'hello', { store, messenger }, testFanOutOptions());

    // Assess
    expect(result).toEqual({
      delivered: 8,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(pages.flat().sort());
    expect(new Set(messenger.sent.map((s) => s.frame))).toEqual(new Set(['hello']));
  });

  it('keeps at most `concurrency` sends in flight, and uses that many', async () => {
    const store = new InMemoryStore();
    const messenger = new ScriptedMessenger();

    const result = await fanOut(
      pagesOf([ids('a', 7), ids('b', 7), ids('c', 6)]),
      'f',
      { store, messenger },
      testFanOutOptions({ concurrency: 3 }),
    );

    expect(result.delivered).toBe(20);
    expect(messenger.maxInFlight).toBe(3);
  });

  it('sends one at a time with concurrency 1', async () => {
    const messenger = new ScriptedMessenger();

    await fanOut(
      pagesOf([ids('a', 5)]),
      'f',
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ concurrency: 1 }),
    );

    expect(messenger.maxInFlight).toBe(1);
  });

  it('reads the store page by page (store-sized pages)', async () => {
    const store = new InMemoryStore(2);
    store.connect(...ids('c', 5));
    const messenger = new ScriptedMessenger();

    const result = await fanOut(store.everyone(), 'f', { store, messenger }, testFanOutOptions());

    expect(store.pagesRead).toBe(3);
    expect(result.delivered).toBe(5);
  });

  it('removes exactly the recipient that is gone, not the sender or the others', async () => {
    const store = new InMemoryStore();
    store.connect('sender', 'alive', 'vanished');
    const messenger = new ScriptedMessenger((id) => (id === 'vanished' ? 'gone' : 'sent'));

    const result = await fanOut(store.everyone(), 'f', { store, messenger }, testFanOutOptions());

    expect(result).toEqual({
      delivered: 2,
      gone: 1,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(store.removed).toEqual(['vanished']);
    expect([...store.connections.keys()].sort()).toEqual(['alive', 'sender']);
  });

  it('retries a retryable error with backoff and then delivers', async () => {
    const messenger = new ScriptedMessenger((id, attempt) =>
      id === 'busy' && attempt <= 2 ? new RetryableSendError(id) : 'sent',
    );
    const options = testFanOutOptions();

    const result = await fanOut(
      pagesOf([['busy', 'calm']]),
      'f',
      { store: new InMemoryStore(), messenger },
      options,
    );

    expect(result).toEqual({
      delivered: 2,
      gone: 0,
      failed: 0,
      retried: 2,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.attempts.get('busy')).toBe(3);
    // random() = 0.5 of the caps 100 ms and 200 ms
    expect(options.sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts and counts the recipient as failed', async () => {
    const problems: FanOutProblem[] = [];
    const messenger = new ScriptedMessenger((id) =>
      id === 'throttled' ? new RetryableSendError(id) : 'sent',
    );
    const options = testFanOutOptions({ onProblem: (p) => problems.push(p) });

    const result = await fanOut(
      pagesOf([['throttled', 'ok']]),
      'f',
      { store: new InMemoryStore(), messenger },
      options,
    );

    expect(result).toEqual({
      delivered: 1,
      gone: 0,
      failed: 1,
      retried: 4,
      handedOff: 0,
      remaining: [],
      retryLater: ['throttled'],
      unreadPages: false,
    });
    expect(messenger.attempts.get('throttled')).toBe(5);
    expect(options.sleeps).toHaveLength(4);
    expect(problems).toEqual([expect.objectContaining({ connectionId: 'throttled', stage: 'send' })]);
    expect(problems[0]?.error).toBeInstanceOf(RetryableSendError);
  });

  it('stops retrying when the next wait would pass the deadline', async () => {
    const messenger = new ScriptedMessenger((id) => new RetryableSendError(id));
    // waits are 50, 100, 200, 400 ms; only the first two fit before the deadline
    const options = testFanOutOptions({ deadline: 1_000_000 + 160 });

    const result = await fanOut(pagesOf([['slow']]), 'f', { store: new InMemoryStore(), messenger }, options);

    expect(result).toEqual({
      delivered: 0,
      gone: 0,
      failed: 1,
      retried: 2,
      handedOff: 0,
      remaining: [],
      retryLater: ['slow'],
      unreadPages: false,
    });
    expect(options.sleeps).toEqual([50, 100]);
    expect(messenger.attempts.get('slow')).toBe(3);
  });

  it('does not retry an error that is not retryable', async () => {
    const messenger = new ScriptedMessenger((id) =>
      id === 'forbidden' ? new Error('403 Forbidden') : 'sent',
    );
    const options = testFanOutOptions();

    const result = await fanOut(
      pagesOf([['forbidden', 'b', 'c']]),
      'f',
      { store: new InMemoryStore(), messenger },
      options,
    );

    expect(result).toEqual({
      delivered: 2,
      gone: 0,
      failed: 1,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.attempts.get('forbidden')).toBe(1);
    expect(options.sleeps).toEqual([]);
  });

  it('keeps going after failures: one bad recipient never stops the rest', async () => {
    const recipients = ids('r', 30);
    const messenger = new ScriptedMessenger((id) =>
      id === 'r3' || id === 'r17' ? new Error('boom') : 'sent',
    );

    const result = await fanOut(
      pagesOf([recipients.slice(0, 10), recipients.slice(10)]),
      'f',
      { store: new InMemoryStore(), messenger },
      testFanOutOptions({ concurrency: 2 }),
    );

    expect(result).toEqual({
      delivered: 28,
      gone: 0,
      failed: 2,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
  });

  it('counts a gone recipient as gone even when removing it fails, and reports the cleanup problem', async () => {
    const problems: FanOutProblem[] = [];
    const store = new InMemoryStore();
    store.removeConnection = async () => {
      throw new Error('DynamoDB down');
    };
    const messenger = new ScriptedMessenger(() => 'gone');

    const result = await fanOut(
      pagesOf([['x']]),
      'f',
      { store, messenger },
      testFanOutOptions({ onProblem: (p) => problems.push(p) }),
    );

    expect(result).toEqual({
      delivered: 0,
      gone: 1,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(problems).toEqual([expect.objectContaining({ connectionId: 'x', stage: 'cleanup' })]);
  });

  it('rethrows a failure to read recipients after the sends in flight have settled', async () => {
    const messenger = new ScriptedMessenger();
    const failure = new Error('Query failed');

    await expect(
      fanOut(
        pagesOf([ids('a', 4)], failure),
        'f',
        { store: new InMemoryStore(), messenger },
        testFanOutOptions(),
      ),
    ).rejects.toBe(failure);
    expect(messenger.sent).toHaveLength(4);
    expect(messenger.inFlight).toBe(0);
  });

  it('delivers nothing and reports zeros when there are no recipients', async () => {
    const messenger = new ScriptedMessenger();

    const result = await fanOut(
      pagesOf([]),
      'f',
      { store: new InMemoryStore(), messenger },
      testFanOutOptions(),
    );

    expect(result).toEqual({
      delivered: 0,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
  });

  it.each([0, -1, 1.5])('rejects concurrency %s', async (concurrency) => {
    await expect(
      fanOut(
        pagesOf([['a']]),
        'f',
        { store: new InMemoryStore(), messenger: new ScriptedMessenger() },
        testFanOutOptions({ concurrency }),
      ),
    ).rejects.toThrow(RangeError);
  });

  describe('afterRemoval', () => {
    it('runs after a gone recipient was removed, with what the removal reported and the options', async () => {
      const store = new InMemoryStore();
      store.connectAs('vanished', 'ann', 'Ann');
      await store.presence.enter('lobby', await store.member('vanished'), 1);
      const messenger = new ScriptedMessenger((id) => (id === 'vanished' ? 'gone' : 'sent'));
      const options = testFanOutOptions();
      const afterRemoval = vi.fn(async (_removed: RemovedConnection, _options: FanOutOptions) => {
        // The connection is already gone from the store when this runs.
        expect(store.connections.has('vanished')).toBe(false);
      });

      const result = await fanOut(
        pagesOf([['alive', 'vanished']]),
        'f',
        { store, messenger, afterRemoval },
        options,
      );

      expect(result).toEqual({
        delivered: 1,
        gone: 1,
        failed: 0,
        retried: 0,
        handedOff: 0,
        remaining: [],
        retryLater: [],
        unreadPages: false,
      });
      expect(afterRemoval).toHaveBeenCalledTimes(1);
      expect(afterRemoval).toHaveBeenCalledWith(
        {
          member: { clientId: 'ann', name: 'Ann', connectionId: 'vanished' },
          presenceChannels: ['lobby'],
        },
        options,
      );
    });

    it('is not called for recipients that were delivered to or failed', async () => {
      const messenger = new ScriptedMessenger((id) => (id === 'denied' ? new Error('403') : 'sent'));
      const afterRemoval = vi.fn(async () => undefined);

      await fanOut(
        pagesOf([['a', 'denied']]),
        'f',
        { store: new InMemoryStore(), messenger, afterRemoval },
        testFanOutOptions(),
      );

      expect(afterRemoval).not.toHaveBeenCalled();
    });

    it('is not called when the removal failed', async () => {
      const store = new InMemoryStore();
      store.removeConnection = async () => {
        throw new Error('DynamoDB down');
      };
      const afterRemoval = vi.fn(async () => undefined);

      await fanOut(
        pagesOf([['x']]),
        'f',
        { store, messenger: new ScriptedMessenger(() => 'gone'), afterRemoval },
        testFanOutOptions(),
      );

      expect(afterRemoval).not.toHaveBeenCalled();
    });

    it('reports its failure as a cleanup problem, still counts the recipient as gone, and carries on', async () => {
      const problems: FanOutProblem[] = [];
      const failure = new Error('announce failed');
      const afterRemoval = vi.fn(async () => {
        throw failure;
      });

      const result = await fanOut(
        pagesOf([['x', 'y', 'ok']]),
        'f',
        {
          store: new InMemoryStore(),
          messenger: new ScriptedMessenger((id) => (id === 'ok' ? 'sent' : 'gone')),
          afterRemoval,
        },
        testFanOutOptions({ onProblem: (p) => problems.push(p) }),
      );

      expect(result).toEqual({
        delivered: 1,
        gone: 2,
        failed: 0,
        retried: 0,
        handedOff: 0,
        remaining: [],
        retryLater: [],
        unreadPages: false,
      });
      expect(problems).toHaveLength(2);
      expect(problems).toEqual(
        expect.arrayContaining([
          { connectionId: 'x', stage: 'cleanup', error: failure },
          { connectionId: 'y', stage: 'cleanup', error: failure },
        ]),
      );
    });
  });
});
