import { describe, expect, it, vi } from 'vitest';
import { broadcastToEveryone } from '../../../lambdas/core/broadcast.js';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

describe('broadcastToEveryone', () => {
  it('sends a string as the raw frame to every open connection', async () => {
    const store = new InMemoryStore(2);
    store.connect('a', 'b', 'c');
    const messenger = new ScriptedMessenger();

    const result = await broadcastToEveryone({ store, messenger }, 'hello everyone', testFanOutOptions());

    expect(result).toEqual({ delivered: 3, gone: 0, failed: 0, retried: 0 });
    expect(messenger.sent.map((s) => s.frame)).toEqual([
      'hello everyone',
      'hello everyone',
      'hello everyone',
    ]);
  });

  it('sends anything else as JSON', async () => {
    const store = new InMemoryStore();
    store.connect('a');
    const messenger = new ScriptedMessenger();

    await broadcastToEveryone({ store, messenger }, { text: 'hi' }, testFanOutOptions());

    expect(messenger.sent[0]?.frame).toBe('{"text":"hi"}');
  });

  it('rejects a frame over 128 KiB with PAYLOAD_TOO_LARGE before sending anything', async () => {
    const store = new InMemoryStore();
    store.connect('a');
    const messenger = new ScriptedMessenger();

    await expect(
      broadcastToEveryone({ store, messenger }, 'x'.repeat(MAX_FRAME_BYTES + 1), testFanOutOptions()),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(messenger.attempts.size).toBe(0);
  });

  it('removes a connection found gone and hands what was removed to afterRemoval', async () => {
    const store = new InMemoryStore();
    store.connectAs('gone', 'cy', 'Cy');
    store.connect('a');
    await store.presence.enter('lobby', await store.member('gone'), 1);
    const messenger = new ScriptedMessenger((id) => (id === 'gone' ? 'gone' : 'sent'));
    const afterRemoval = vi.fn(async () => undefined);

    const result = await broadcastToEveryone({ store, messenger, afterRemoval }, 'hi', testFanOutOptions());

    expect(result).toEqual({ delivered: 1, gone: 1, failed: 0, retried: 0 });
    expect(afterRemoval).toHaveBeenCalledWith(
      { member: { clientId: 'cy', name: 'Cy', connectionId: 'gone' }, presenceChannels: ['lobby'] },
      expect.anything(),
    );
  });
});
