import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureEmf } from '../support/emf.js';
import { fakeContext, messageEvent } from '../support/handler-env.js';

type LogLine = Record<string, unknown>;

/** A fresh container: the wrapper, the logger and the metrics it uses, with log and EMF lines captured. */
const load = async () => {
  vi.resetModules();
  const entry = await import('../../../lambdas/handlers/support/lambda-entry.js');
  const { logger } = await import('../../../lambdas/adapters/logger.js');
  const metrics = await import('../../../lambdas/adapters/metrics.js');
  const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
  const logs = (): LogLine[] => info.mock.calls.map((call) => JSON.parse(String(call[0])) as LogLine);
  return { ...entry, logger, metrics, logs, emf: captureEmf() };
};

const contextFor = (awsRequestId: string): Context => ({ ...fakeContext(), awsRequestId });

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'svc');
  // Lambda (and the local runtime) set it; Powertools reports a cold start only for on-demand environments.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('lambdaEntry', () => {
  it('logs the Lambda context and the connection id and route key of a WebSocket event', async () => {
    // Prepare
    const { lambdaEntry, logger, logs } = await load();
    const handler = lambdaEntry(async () => {
      logger.info('inside');
      return { statusCode: 200 };
    });

    // Act
    await handler(messageEvent('publish', { action: 'publish' }), contextFor('req-1'));

    // Assess
    expect(logs()).toEqual([
      expect.objectContaining({
        message: 'inside',
        function_request_id: 'req-1',
        function_name: 'realtime-api-handler',
        cold_start: true,
        connectionId: 'L0SM9cOFvHcCIhw=',
        routeKey: 'publish',
      }),
    ]);
  });

  it('clears the keys after each invocation, so the next one (a stream batch) does not inherit them', async () => {
    const { lambdaEntry, logger, logs } = await load();
    const handler = lambdaEntry(async (_event: unknown) => {
      logger.info('inside');
    });

    await handler(messageEvent('publish', { action: 'publish' }), contextFor('req-1'));
    await handler({ Records: [] }, contextFor('req-2'));
    logger.info('between invocations');

    const [first, second, after] = logs();
    expect(first).toMatchObject({ connectionId: 'L0SM9cOFvHcCIhw=', cold_start: true });
    expect(second).toMatchObject({ function_request_id: 'req-2', cold_start: false });
    expect(second).not.toHaveProperty('connectionId');
    expect(second).not.toHaveProperty('routeKey');
    expect(after).not.toHaveProperty('connectionId');
  });

  it('publishes the metrics recorded during the invocation at its end', async () => {
    const { lambdaEntry, metrics, emf } = await load();
    const handler = lambdaEntry(async () => {
      metrics.recordFanOut('publish', { delivered: 3, gone: 0, failed: 0, retried: 0, durationMs: 9 });
      expect(emf()).toHaveLength(0);
      return 'done';
    });

    await expect(handler(messageEvent('publish', {}), contextFor('req-1'))).resolves.toBe('done');

    expect(emf()).toEqual([expect.objectContaining({ route: 'publish', Delivered: 3 })]);
  });

  it('still publishes the metrics and clears the keys when the handler throws, and rethrows', async () => {
    const { lambdaEntry, logger, metrics, emf, logs } = await load();
    const handler = lambdaEntry(async () => {
      metrics.recordPostFailed();
      throw new Error('boom');
    });

    await expect(handler(messageEvent('publish', {}), contextFor('req-1'))).rejects.toThrow('boom');
    logger.info('after');

    expect(emf()).toEqual([expect.objectContaining({ ConnectionsPostFailed: 1 })]);
    expect(logs()[0]).not.toHaveProperty('connectionId');
  });

  it('keeps the handler outcome when publishing the metrics fails', async () => {
    const { lambdaEntry } = await load();
    const warn = vi.fn();
    const deps = {
      logger: { addContext: vi.fn(), appendKeys: vi.fn(), resetKeys: vi.fn(), warn },
      publishMetrics: () => {
        throw new RangeError('too many dimensions');
      },
    };

    const result = await lambdaEntry(async () => 42, deps)({}, contextFor('req-1'));

    expect(result).toBe(42);
    expect(warn).toHaveBeenCalledWith('metrics not published', { error: expect.any(RangeError) });
    expect(deps.logger.resetKeys).toHaveBeenCalledTimes(2);
  });
});

describe('webSocketKeys', () => {
  it('takes connectionId and routeKey from a WebSocket event, and nothing from other events', async () => {
    const { webSocketKeys } = await load();

    expect(webSocketKeys(messageEvent('ping', {}))).toEqual({
      connectionId: 'L0SM9cOFvHcCIhw=',
      routeKey: 'ping',
    });
    expect(webSocketKeys({ Records: [] })).toEqual({});
    expect(webSocketKeys(null)).toEqual({});
    expect(webSocketKeys({ requestContext: { connectionId: 7 } })).toEqual({});
  });
});
