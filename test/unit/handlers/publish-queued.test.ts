import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ArrayRecipientPages, RecordingQueue } from '../support/fake-fan-out-queue.js';
import { testFanOutSettings } from '../support/fan-out-options.js';
import { bodyOf, fakeContext, messageEvent, stubStackEnv } from '../support/handler-env.js';
import { InMemoryHistoryStore, InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

let publish: typeof import('../../../lambdas/handlers/publish.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  publish = await import('../../../lambdas/handlers/publish.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

describe('publish handler with a fan-out queue', () => {
  it('acks a large channel at once with its seq and "fanout":"queued", posting to nobody', async () => {
    // Prepare
    const store = new InMemoryStore();
    const messenger = new ScriptedMessenger();
    const queue = new RecordingQueue();
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ['a', 'b', 'c']);
    const info = vi.spyOn(logging.logger, 'info');
    const handler = publish.makePublishHandler({
      ports: { store, history: new InMemoryHistoryStore(store.sequences), messenger },
      historySize: 0,
      logger: logging.logger,
      fanOut: testFanOutSettings(),
      queue: { queue, pages, inlineLimit: 2, sliceSize: 2, route: 'publish' },
    });

    // Act
    const response = await handler(
      messageEvent('publish', { action: 'publish', channel: 'lobby', data: 1, id: 5 }),
      fakeContext(),
    );

    // Assess
    expect(bodyOf(response)).toEqual({
      type: 'published',
      channel: 'lobby',
      seq: 1,
      delivered: 0,
      fanout: 'queued',
      id: 5,
    });
    expect(messenger.sent).toEqual([]);
    expect(queue.slices.map((slice) => slice.kind)).toEqual(['post', 'page']);
    expect(JSON.parse(queue.slices[0]?.frame ?? '{}')).toMatchObject({ type: 'message', seq: 1 });
    expect(info).toHaveBeenCalledWith(
      'fan-out',
      expect.objectContaining({ route: 'publish', fanout: 'queued' }),
    );
  });
});
