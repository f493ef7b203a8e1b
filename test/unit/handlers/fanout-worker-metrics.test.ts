import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeSlice } from '../../../lambdas/adapters/sqs-fan-out-queue.js';
import { captureEmf } from '../support/emf.js';
import { ArrayRecipientPages, RecordingQueue } from '../support/fake-fan-out-queue.js';
import { testFanOutSettings } from '../support/fan-out-options.js';
import { fakeContext, stubStackEnv } from '../support/handler-env.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

beforeEach(() => {
  stubStackEnv();
  vi.stubEnv('FANOUT_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'svc');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('fan-out worker metrics', () => {
  it('records how long each slice waited in the queue (QueueLag, from SentTimestamp)', async () => {
    // Prepare: a fresh container, its EMF output captured, a clock at 5 s past the slice's sending
    vi.resetModules();
    const worker = await import('../../../lambdas/handlers/fanout-worker.js');
    const metrics = await import('../../../lambdas/adapters/metrics.js');
    const logging = await import('../../../lambdas/adapters/logger.js');
    const lines = captureEmf();
    const handler = worker.makeFanOutWorkerHandler({
      ports: { store: new InMemoryStore(), messenger: new ScriptedMessenger() },
      plan: { queue: new RecordingQueue(), pages: new ArrayRecipientPages(), sliceSize: 2 },
      logger: logging.logger,
      fanOut: { ...testFanOutSettings(), now: () => 15_000 },
    });
    const event = {
      Records: [
        {
          messageId: 'm0',
          body: encodeSlice({ kind: 'post', route: 'publish', frame: '{}', deduplicated: true, ids: ['a'] }),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '10000' },
        },
      ],
    } as unknown as SQSEvent;

    // Act
    await handler(event, fakeContext());
    metrics.publishMetrics();

    // Assert
    const lag = lines().find((line) => 'QueueLag' in line);
    expect(lag?.QueueLag).toBe(5000);
  });
});
