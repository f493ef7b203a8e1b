import { describe, expect, it, vi } from 'vitest';
import { announceDeparture, announcePresence, listMembers } from '../../../lambdas/core/presence.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const ann = { clientId: 'ann', name: 'Ann', connectionId: 'c-ann' };

/** A store whose presence has `present` (channel → connection ids) and a scripted messenger. */
const world = async (
  present: Record<string, string[]>,
  script?: ConstructorParameters<typeof ScriptedMessenger>[0],
  pageSize = 100,
) => {
  const store = new InMemoryStore(pageSize);
  for (const [channel, ids] of Object.entries(present)) {
    for (const id of ids) {
      store.connect(id);
      await store.presence.enter(channel, await store.member(id), 1);
    }
  }
  const messenger = new ScriptedMessenger(script);
  return { store, messenger, ports: { store, presence: store.presence, messenger } };
};

describe('announcePresence', () => {
  it('sends the join to every member present in the channel, and only there', async () => {
    const { ports, messenger } = await world({ lobby: ['a', 'b'], other: ['z'] });

    const result = await announcePresence(ports, 'join', 'lobby', ann, testFanOutOptions());

    expect(result).toEqual({
      delivered: 2,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
      remaining: [],
      retryLater: [],
      unreadPages: false,
    });
    expect(messenger.sent.map((s) => s.connectionId).sort()).toEqual(['a', 'b']);
    expect(messenger.sent.map((s) => s.frame)).toEqual([
      JSON.stringify({ type: 'join', channel: 'lobby', member: ann }),
      JSON.stringify({ type: 'join', channel: 'lobby', member: ann }),
    ]);
  });

  it('sends a leave as a leave', async () => {
    const { ports, messenger } = await world({ lobby: ['a'] });

    await announcePresence(ports, 'leave', 'lobby', ann, testFanOutOptions());

    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toEqual({
      type: 'leave',
      channel: 'lobby',
      member: ann,
    });
  });

  it('removes a present member found gone, which takes it out of the presence too', async () => {
    const { ports, store, messenger } = await world({ lobby: ['a', 'ghost'] }, (id) =>
      id === 'ghost' ? 'gone' : 'sent',
    );

    const result = await announcePresence(ports, 'join', 'lobby', ann, testFanOutOptions());

    expect(result).toMatchObject({ delivered: 1, gone: 1 });
    expect(store.removed).toEqual(['ghost']);
    expect([...(store.presence.channels.get('lobby')?.keys() ?? [])]).toEqual(['a']);
    expect(messenger.sent.map((s) => s.connectionId)).toEqual(['a']);
  });

  it('sends nothing in a channel where nobody is present', async () => {
    const { ports, messenger } = await world({});

    const result = await announcePresence(ports, 'join', 'lobby', ann, testFanOutOptions());

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
    expect(messenger.attempts.size).toBe(0);
  });
});

describe('announceDeparture', () => {
  it('announces the leave of the removed member in each channel where it was present, one after the other', async () => {
    const { ports, messenger } = await world({ lobby: ['a'], games: ['b', 'c'], quiet: ['d'] });
    const recipients = vi.spyOn(ports.presence, 'recipients');

    await announceDeparture(
      ports,
      { member: ann, presenceChannels: ['lobby', 'games'] },
      testFanOutOptions(),
    );

    expect(recipients.mock.calls.map((call) => call[0])).toEqual(['lobby', 'games']);
    const sent = messenger.sent.map((s) => [s.connectionId, JSON.parse(s.frame).channel]);
    expect(sent.sort()).toEqual([
      ['a', 'lobby'],
      ['b', 'games'],
      ['c', 'games'],
    ]);
    expect(new Set(messenger.sent.map((s) => JSON.parse(s.frame).type))).toEqual(new Set(['leave']));
  });

  it('announces nothing for a connection that was present nowhere', async () => {
    const { ports, messenger } = await world({ lobby: ['a'] });

    await announceDeparture(ports, { member: ann, presenceChannels: [] }, testFanOutOptions());

    expect(messenger.attempts.size).toBe(0);
  });
});

describe('listMembers', () => {
  it('collects the members of every page', async () => {
    const { store } = await world({ lobby: ['a', 'b', 'c', 'd', 'e'], other: ['z'] }, undefined, 2);
    const members = vi.spyOn(store.presence, 'members');

    const listed = await listMembers(store.presence, 'lobby');

    expect(members).toHaveBeenCalledWith('lobby');
    expect(listed.map((m) => m.connectionId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listed[0]).toEqual({ clientId: 'a', connectionId: 'a' });
  });

  it('is empty for a channel nobody is present in', async () => {
    const { store } = await world({});

    expect(await listMembers(store.presence, 'lobby')).toEqual([]);
  });
});
