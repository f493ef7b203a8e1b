import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import type { FanOutOptions, FanOutResult } from '../../../lambdas/core/fan-out.js';
import type { FanOutSettings } from '../../../lambdas/handlers/support/fan-out.js';
import type { RouteLogger } from '../../../lambdas/handlers/support/route-response.js';
import { captureEmf } from '../support/emf.js';
import { fakeContext } from '../support/handler-env.js';

/** Settings on a clock that moves only when the test says so. */
const fakeSettings = (clock: { now: number }): FanOutSettings => ({
  concurrency: 2,
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  now: () => clock.now,
  sleep: async () => undefined,
  random: () => 0.5,
});

const spyLogger = () => ({
  debug: vi.fn<RouteLogger['debug']>(),
  info: vi.fn<RouteLogger['info']>(),
  warn: vi.fn<RouteLogger['warn']>(),
  error: vi.fn<RouteLogger['error']>(),
});

/** The fan-out helpers and metrics of a fresh container, with EMF output captured. */
const load = async () => {
  vi.resetModules();
  const support = await import('../../../lambdas/handlers/support/fan-out.js');
  const metrics = await import('../../../lambdas/adapters/metrics.js');
  return { support, metrics, lines: captureEmf() };
};

const sdkThrottle = (): Error =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'LimitExceededException',
    $metadata: { httpStatusCode: 429, requestId: 'req-429' },
  });

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'svc');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('loggedFanOut', () => {
  it('records the counts and the duration under the route, and logs retried with the counts', async () => {
    // Prepare
    const { support, metrics, lines } = await load();
    const clock = { now: 1_000 };
    const logger = spyLogger();
    const result: FanOutResult = { delivered: 5, gone: 1, failed: 0, retried: 2 };

    // Act
    await support.loggedFanOut(logger, fakeContext(), fakeSettings(clock), { route: 'publish' }, async () => {
      clock.now += 37;
      return result;
    });
    metrics.publishMetrics();

    // Assess
    expect(logger.info).toHaveBeenCalledWith('fan-out', { route: 'publish', ...result });
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      route: 'publish',
      service: 'svc',
      Delivered: 5,
      Gone: 1,
      Failed: 0,
      Retried: 2,
      FanOutDuration: 37,
    });
  });

  it('counts each failed post in ConnectionsPostFailed and logs its x-amzn-RequestId as awsRequestId', async () => {
    const { support, metrics, lines } = await load();
    const logger = spyLogger();
    const failure = new RetryableSendError('c1', { cause: sdkThrottle() });

    await support.loggedFanOut(
      logger,
      fakeContext(),
      fakeSettings({ now: 0 }),
      { route: 'sendmessage' },
      async (options: FanOutOptions) => {
        options.onProblem?.({ connectionId: 'c1', stage: 'send', error: failure });
        options.onProblem?.({ connectionId: 'c2', stage: 'send', error: new Error('403') });
        options.onProblem?.({ connectionId: 'c3', stage: 'cleanup', error: new Error('ddb') });
        return { delivered: 0, gone: 1, failed: 2, retried: 2 };
      },
    );
    metrics.publishMetrics();

    expect(logger.info).toHaveBeenCalledWith(
      'fan-out',
      expect.objectContaining({
        firstProblem: {
          connectionId: 'c1',
          stage: 'send',
          error: 'RetryableSendError: sending to connection c1 failed and may be retried',
          awsRequestId: 'req-429',
        },
      }),
    );
    const base = lines().find((line) => line.route === undefined);
    // Two failed posts; a failed cleanup is no failed post.
    expect(base?.ConnectionsPostFailed).toEqual([1, 1]);
  });
});
