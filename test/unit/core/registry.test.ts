import { describe, expect, it } from 'vitest';
import { registerConnection, unregisterConnection } from '../../../lambdas/core/registry.js';
import { InMemoryStore } from '../support/in-memory-store.js';

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
    });
    expect(store.connections.get('abc=')).toEqual(record);
  });

  it('uses now as connectedAt and omits what the event did not carry', async () => {
    const record = await registerConnection(new InMemoryStore(), { connectionId: 'abc=' }, NOW);

    expect(record).toEqual({ connectionId: 'abc=', connectedAt: NOW, expiresAt: 1_764_157_800 });
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
  it('removes the connection and its subscriptions', async () => {
    const store = new InMemoryStore();
    store.connect('abc=', 'other');
    await store.subscribe('abc=', 'lobby', 1);

    await unregisterConnection(store, 'abc=');

    expect(store.removed).toEqual(['abc=']);
    expect([...store.connections.keys()]).toEqual(['other']);
    expect(store.channels.get('lobby')?.size).toBe(0);
  });
});
