import { describe, expect, it } from 'vitest';
import { directFrame, SERVER_SENDER, sendToUser, sentFrame } from '../../../lambdas/core/direct.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

/** alice on three connections (pages of 2), bob on one. */
const givenUsers = () => {
  const store = new InMemoryStore(2);
  store.connectAs('a1', 'alice-phone', undefined, 'alice');
  store.connectAs('a2', 'alice-laptop', undefined, 'alice');
  store.connectAs('a3', 'alice-tab', undefined, 'alice');
  store.connectAs('b1', 'bob', undefined, 'bob');
  return store;
};

describe('sendToUser', () => {
  it("delivers a direct frame to every connection of the user, across pages, and to no one else's", async () => {
    // Prepare
    const store = givenUsers();
    const messenger = new ScriptedMessenger();
    const options = testFanOutOptions();

    // Act
    const result = await sendToUser(
      { store, messenger },
      { sender: { from: 'b1', fromUser: 'bob' }, user: 'alice', data: { text: 'hi' } },
      options,
    );

    // Assess
    expect(result).toEqual({
      delivered: 3,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['a1', 'a2', 'a3']);
    for (const { frame } of messenger.sent) {
      expect(JSON.parse(frame)).toEqual({
        type: 'direct',
        from: 'b1',
        fromUser: 'bob',
        data: { text: 'hi' },
        sentAt: 1_000_000,
      });
    }
    expect(store.pagesRead).toBe(2);
  });

  it('counts a user without connections as delivered: 0, sending nothing', async () => {
    const messenger = new ScriptedMessenger();

    const result = await sendToUser(
      { store: givenUsers(), messenger },
      { sender: { from: 'b1', fromUser: 'bob' }, user: 'carol', data: 1 },
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
    expect(messenger.sent).toEqual([]);
  });

  it("removes a connection of the user found gone and doesn't count it", async () => {
    const store = givenUsers();
    const messenger = new ScriptedMessenger((id) => (id === 'a2' ? 'gone' : 'sent'));

    const result = await sendToUser(
      { store, messenger },
      { sender: { from: SERVER_SENDER }, user: 'alice', data: 'x' },
      testFanOutOptions(),
    );

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
    expect(store.removed).toEqual(['a2']);
  });

  it('refuses an oversized message with PAYLOAD_TOO_LARGE before sending', async () => {
    const messenger = new ScriptedMessenger();

    await expect(
      sendToUser(
        { store: givenUsers(), messenger },
        { sender: { from: 'b1', fromUser: 'bob' }, user: 'alice', data: 'x'.repeat(131_072) },
        testFanOutOptions(),
      ),
    ).rejects.toSatisfy((error) => error instanceof ProtocolError && error.code === 'PAYLOAD_TOO_LARGE');
    expect(messenger.sent).toEqual([]);
  });
});

describe('direct frames', () => {
  it('leaves out fromUser when the backend sends', () => {
    expect(directFrame({ from: SERVER_SENDER }, [1], 5)).toEqual({
      type: 'direct',
      from: 'server',
      data: [1],
      sentAt: 5,
    });
  });

  it('acks with the user and the delivered count, echoing an id only when given', () => {
    expect(sentFrame('alice', 2, 'r1')).toEqual({ type: 'sent', user: 'alice', delivered: 2, id: 'r1' });
    expect(sentFrame('alice', 0)).toEqual({ type: 'sent', user: 'alice', delivered: 0 });
  });
});
