import { describe, expect, it } from 'vitest';
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

    expect(result).toEqual({ delivered: 3, gone: 0, failed: 0 });
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
});
