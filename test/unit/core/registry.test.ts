import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import {
  connectionIdentity,
  identityFromQuery,
  registerConnection,
  unregisterConnection,
} from '../../../lambdas/core/registry.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const NOW = 1_764_150_000_123;

describe('registerConnection', () => {
  it('stores the connection with a ttl 2 h 10 min after now, in epoch seconds', async () => {
    const store = new InMemoryStore();

    const record = await registerConnection(
      store,
      { connectionId: 'abc=', connectedAt: NOW - 5, sourceIp: '203.0.113.10', userAgent: 'wscat' },
      NOW,
    );

    expect(record).toEqual({
      connectionId: 'abc=',
      connectedAt: NOW - 5,
      sourceIp: '203.0.113.10',
      userAgent: 'wscat',
      expiresAt: 1_764_150_000 + 7_800,
      clientId: 'abc=',
      userId: 'abc=',
    });
    expect(store.connections.get('abc=')).toEqual(record);
  });

  it('uses now as connectedAt and omits what the event did not carry', async () => {
    const record = await registerConnection(new InMemoryStore(), { connectionId: 'abc=' }, NOW);

    expect(record).toEqual({
      connectionId: 'abc=',
      connectedAt: NOW,
      expiresAt: 1_764_157_800,
      clientId: 'abc=',
      userId: 'abc=',
    });
  });

  it("records the authorizer's user id instead of the client id when one is given", async () => {
    const record = await registerConnection(
      new InMemoryStore(),
      { connectionId: 'abc=', clientId: 'device-7', userId: 'alice' },
      NOW,
    );

    expect(record).toMatchObject({ clientId: 'device-7', userId: 'alice' });
  });

  it('stores the client id and name the client gave instead of the connection id', async () => {
    const store = new InMemoryStore();

    const record = await registerConnection(
      store,
      { connectionId: 'abc=', clientId: 'device-7', name: 'Ann' },
      NOW,
    );

    expect(record).toMatchObject({
      connectionId: 'abc=',
      clientId: 'device-7',
      name: 'Ann',
      userId: 'device-7',
    });
    expect(await store.member('abc=')).toEqual({ clientId: 'device-7', name: 'Ann', connectionId: 'abc=' });
  });

  it('lets a store failure propagate so $connect can reject the handshake', async () => {
    const store = new InMemoryStore();
    store.putConnection = async () => {
      throw new Error('throttled');
    };

    await expect(registerConnection(store, { connectionId: 'abc=' }, NOW)).rejects.toThrow('throttled');
  });
});

describe('unregisterConnection', () => {
  const portsOf = (store: InMemoryStore, messenger = new ScriptedMessenger()) => ({
    store,
    presence: store.presence,
    messenger,
  });

  it('removes the connection and its subscriptions', async () => {
    const store = new InMemoryStore();
    store.connect('abc=', 'other');
    await store.subscribe('abc=', 'lobby', 1);

    await unregisterConnection(portsOf(store), 'abc=', testFanOutOptions());

    expect(store.removed).toEqual(['abc=']);
    expect([...store.connections.keys()]).toEqual(['other']);
    expect(store.channels.get('lobby')?.size).toBe(0);
  });

  it('announces its leave to those still present, in every channel where it was present', async () => {
    const store = new InMemoryStore();
    store.connectAs('abc=', 'ann', 'Ann');
    store.connect('bob', 'cy');
    const ann = await store.member('abc=');
    await store.presence.enter('lobby', ann, 1);
    await store.presence.enter('games', ann, 1);
    await store.presence.enter('lobby', await store.member('bob'), 1);
    await store.presence.enter('games', await store.member('cy'), 1);
    await store.presence.enter('quiet', await store.member('cy'), 1);
    const messenger = new ScriptedMessenger();

    await unregisterConnection(portsOf(store, messenger), 'abc=', testFanOutOptions());

    const sent = messenger.sent.map((s) => [s.connectionId, JSON.parse(s.frame)]);
    expect(sent.sort()).toEqual(
      [
        ['bob', { type: 'leave', channel: 'lobby', member: ann }],
        ['cy', { type: 'leave', channel: 'games', member: ann }],
      ].sort(),
    );
  });

  it('announces nothing when it was present nowhere', async () => {
    const store = new InMemoryStore();
    store.connect('abc=', 'bob');
    await store.presence.enter('lobby', await store.member('bob'), 1);
    const messenger = new ScriptedMessenger();

    await unregisterConnection(portsOf(store, messenger), 'abc=', testFanOutOptions());

    expect(messenger.attempts.size).toBe(0);
  });
});

describe('identityFromQuery', () => {
  const rejection = (query: Record<string, string>): ProtocolError => {
    try {
      identityFromQuery(query);
    } catch (error) {
      if (error instanceof ProtocolError) return error;
      throw error;
    }
    throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
  };

  it('reads the client id and name', () => {
    expect(identityFromQuery({ clientId: 'A-z_0.9:@x', name: 'Ann Lee' })).toEqual({
      clientId: 'A-z_0.9:@x',
      name: 'Ann Lee',
    });
  });

  it.each([
    ['no query string', null],
    ['an undefined query string', undefined],
    ['neither parameter', { other: 'x' }],
  ])('is empty for %s', (_, query) => {
    expect(identityFromQuery(query)).toEqual({});
  });

  it('treats an empty name as no name', () => {
    expect(identityFromQuery({ clientId: 'c1', name: '' })).toEqual({ clientId: 'c1' });
  });

  it('accepts a 64-character client id and a 64-character name', () => {
    const query = { clientId: 'c'.repeat(64), name: 'n'.repeat(64) };

    expect(identityFromQuery(query)).toEqual(query);
  });

  it.each([
    ['empty', ''],
    ['65 characters long', 'c'.repeat(65)],
    ['with a space', 'a b'],
    ['with a slash', 'a/b'],
    ['with a hash', 'a#b'],
    ['not ASCII', 'café'],
  ])('rejects a client id that is %s with INVALID_REQUEST', (_, clientId) => {
    const error = rejection({ clientId });

    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('clientId must be 1-64 of A-Z a-z 0-9 _ - . : @');
  });

  it.each([
    ['65 characters long', 'n'.repeat(65)],
    ['with a newline', 'Ann\nLee'],
    ['with a NUL', 'Ann\u0000'],
    ['with DEL', 'Ann\u007f'],
    ['with a tab', 'Ann\tLee'],
  ])('rejects a name %s with INVALID_REQUEST', (_, name) => {
    const error = rejection({ clientId: 'ok', name });

    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('name must be at most 64 characters, without control characters');
  });

  it('accepts a name with non-ASCII letters and emoji', () => {
    expect(identityFromQuery({ name: 'Zoë 🎲' })).toEqual({ name: 'Zoë 🎲' });
  });
});

describe('connectionIdentity', () => {
  it("makes the token's user the client id when auth is on and the query names none", () => {
    expect(connectionIdentity({ name: 'Ann' }, 'alice')).toEqual({ clientId: 'alice', name: 'Ann' });
    expect(connectionIdentity(undefined, 'alice')).toEqual({ clientId: 'alice' });
  });

  it("accepts a ?clientId= that repeats the token's user", () => {
    expect(connectionIdentity({ clientId: 'alice' }, 'alice')).toEqual({ clientId: 'alice' });
  });

  it('refuses with FORBIDDEN a ?clientId= naming another user when auth is on', () => {
    expect(() => connectionIdentity({ clientId: 'bob' }, 'alice')).toThrow(
      expect.objectContaining({ name: 'ProtocolError', code: 'FORBIDDEN' }),
    );
  });

  it('refuses a malformed ?clientId= with INVALID_REQUEST before comparing it with the user', () => {
    expect(() => connectionIdentity({ clientId: 'a b' }, 'alice')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('accepts a ?clientId= repeating a token user longer than a chosen client id may be (65-128)', () => {
    const longUser = `u${'x'.repeat(99)}`;
    expect(connectionIdentity({ clientId: longUser }, longUser)).toEqual({ clientId: longUser });
    expect(() => connectionIdentity({ clientId: longUser }, undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('keeps the client-chosen client id while auth is off', () => {
    expect(connectionIdentity({ clientId: 'bob', name: 'Bob' }, undefined)).toEqual({
      clientId: 'bob',
      name: 'Bob',
    });
    expect(connectionIdentity({}, undefined)).toEqual({});
  });
});
