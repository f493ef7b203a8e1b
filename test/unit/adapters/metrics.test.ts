import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureEmf, type EmfLine } from '../support/emf.js';

type MetricsModule = typeof import('../../../lambdas/adapters/metrics.js');

/** A fresh metrics module under the current environment, and the EMF lines it writes to the console. */
const loadMetrics = async (): Promise<{ metrics: MetricsModule; lines: () => EmfLine[] }> => {
  vi.resetModules();
  const metrics = await import('../../../lambdas/adapters/metrics.js');
  return { metrics, lines: captureEmf() };
};

const namesOf = (line: EmfLine): string[] => line._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [];

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'chat-prod');
  vi.stubEnv('METRICS_NAMESPACE', 'ChatMetrics');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('metrics', () => {
  it('writes a fan-out as one EMF line in METRICS_NAMESPACE with dimensions service and route', async () => {
    // Prepare
    const { metrics, lines } = await loadMetrics();

    // Act
    metrics.recordFanOut('publish', { delivered: 48, gone: 2, failed: 1, retried: 3, durationMs: 41 });
    metrics.publishMetrics();

    // Assess
    expect(lines()).toHaveLength(1);
    const [line] = lines();
    expect(line?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'ChatMetrics',
      Dimensions: [['service', 'route']],
    });
    expect(line?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'Delivered', Unit: 'Count' },
      { Name: 'Gone', Unit: 'Count' },
      { Name: 'Failed', Unit: 'Count' },
      { Name: 'Retried', Unit: 'Count' },
      { Name: 'FanOutDuration', Unit: 'Milliseconds' },
    ]);
    expect(line).toMatchObject({
      service: 'chat-prod',
      route: 'publish',
      Delivered: 48,
      Gone: 2,
      Failed: 1,
      Retried: 3,
      FanOutDuration: 41,
    });
  });

  it('keeps each route on its own line, and post failures and queue lag on a line with service only', async () => {
    const { metrics, lines } = await loadMetrics();

    metrics.recordFanOut('publish', { delivered: 1, gone: 0, failed: 0, retried: 0, durationMs: 5 });
    metrics.recordFanOut('sendmessage', { delivered: 2, gone: 0, failed: 0, retried: 0, durationMs: 6 });
    metrics.recordPostFailed(2);
    metrics.recordQueueLag(-5);
    metrics.publishMetrics();

    const written = lines();
    expect(written.map((l) => l.route)).toEqual([undefined, 'publish', 'sendmessage']);
    const [base] = written;
    expect(base?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(namesOf(base as EmfLine)).toEqual(['ConnectionsPostFailed', 'QueueLag']);
    // A clock that went backwards never reports a negative lag.
    expect(base).toMatchObject({ ConnectionsPostFailed: 2, QueueLag: 0 });
  });

  it('empties its buffers when it publishes, and writes nothing (and warns nothing) when empty', async () => {
    const { metrics, lines } = await loadMetrics();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    metrics.recordPostFailed();
    metrics.publishMetrics();

    metrics.publishMetrics();

    expect(lines()).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it("uses the namespace 'RealtimeApi' when METRICS_NAMESPACE is unset", async () => {
    vi.stubEnv('METRICS_NAMESPACE', undefined);
    const { metrics, lines } = await loadMetrics();

    metrics.recordPostFailed();
    metrics.publishMetrics();

    expect(lines()[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe(metrics.DEFAULT_METRICS_NAMESPACE);
    expect(metrics.DEFAULT_METRICS_NAMESPACE).toBe('RealtimeApi');
  });
});
