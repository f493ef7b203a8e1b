/**
 * What the cost model assumes about the stack, checked against the stack itself: the synthesized template
 * (default props) and the EMF lines the functions write. A new alarm, function, metric or default in the stack
 * fails here until `bench/cost/options.ts` follows it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ASSUMPTIONS } from '../../../bench/cost/options.js';
import { readFanOutSliceSize } from '../../../lambdas/adapters/env.js';
import { synthRealtimeStack } from '../../stack/synth.js';
import { captureEmf } from '../support/emf.js';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

// GIVEN the stack with default props
const { template } = synthRealtimeStack();
const resources = Object.values((template.toJSON() as { Resources: Record<string, Resource> }).Resources);
const ofType = (type: string): Resource[] => resources.filter((r) => r.Type === type);
const functions = Object.entries(template.findResources('AWS::Lambda::Function')) as [string, Resource][];
const environmentOf = (fn: Resource): Record<string, unknown> =>
  (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
const sqsMappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) =>
  JSON.stringify(m.Properties.EventSourceArn).includes('FanOutQueue'),
);
const workerIds = sqsMappings.map((m) => (m.Properties.FunctionName as { Ref: string }).Ref);

describe('the cost model’s assumptions about the stack', () => {
  it('alarms: as many as the template defines', () => {
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThan(0);
    expect(DEFAULT_ASSUMPTIONS.alarms).toBe(ofType('AWS::CloudWatch::Alarm').length);
  });

  it('dashboards: as many as the template defines', () => {
    expect(DEFAULT_ASSUMPTIONS.dashboards).toBe(ofType('AWS::CloudWatch::Dashboard').length);
  });

  it('memoryMb: the memory of every function but the fan-out worker, which has fanOutMemoryMb', () => {
    expect(workerIds).toHaveLength(1);
    for (const [id, fn] of functions) {
      const expected = workerIds.includes(id)
        ? DEFAULT_ASSUMPTIONS.fanOutMemoryMb
        : DEFAULT_ASSUMPTIONS.memoryMb;
      expect({ id, memory: fn.Properties.MemorySize }).toEqual({ id, memory: expected });
    }
  });

  it('arm64: every function runs on arm64, the duration price the model bills', () => {
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      expect({ id, architectures: fn.Properties.Architectures }).toEqual({ id, architectures: ['arm64'] });
    }
  });

  it('logRetentionDays: the retention of every log group', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    // One per function and the stage's access logs.
    expect(groups).toHaveLength(functions.length + 1);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(DEFAULT_ASSUMPTIONS.logRetentionDays);
    }
  });

  it('fanOutInlineLimit and fanOutTimeoutMs: what the queued fan-out routes are given', () => {
    const queued = functions.filter(([, fn]) => environmentOf(fn).FANOUT_INLINE_LIMIT !== undefined);
    expect(queued.length).toBeGreaterThan(0);
    for (const [, fn] of queued) {
      expect(environmentOf(fn).FANOUT_INLINE_LIMIT).toBe(String(DEFAULT_ASSUMPTIONS.fanOutInlineLimit));
      expect(fn.Properties.Timeout).toBe(DEFAULT_ASSUMPTIONS.fanOutTimeoutMs / 1000);
    }
  });

  it('fanOutSliceSize: what every function reads as FANOUT_SLICE_SIZE', () => {
    for (const [, fn] of functions) {
      const set = environmentOf(fn).FANOUT_SLICE_SIZE;
      vi.stubEnv('FANOUT_SLICE_SIZE', set === undefined ? '' : String(set));
      expect(readFanOutSliceSize()).toBe(DEFAULT_ASSUMPTIONS.fanOutSliceSize);
      vi.unstubAllEnvs();
    }
  });

  it('one worker invocation per slice: the event source hands the worker one message at a time', () => {
    expect(sqsMappings.map((m) => m.Properties.BatchSize)).toEqual([1]);
  });

  it('stageRateLimit: the stage’s default route throttle', () => {
    const [stage] = ofType('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.DefaultRouteSettings as { ThrottlingRateLimit?: number } | undefined;
    expect(settings?.ThrottlingRateLimit).toBe(DEFAULT_ASSUMPTIONS.stageRateLimit);
  });

  it("publishRateLimit: the publish route's own throttle in the stage's RouteSettings", () => {
    const [stage] = ofType('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.RouteSettings as
      | Record<string, { ThrottlingRateLimit?: number }>
      | undefined;
    expect(settings?.publish?.ThrottlingRateLimit).toBe(DEFAULT_ASSUMPTIONS.publishRateLimit);
  });

  it('DynamoDB on demand with point-in-time recovery and a keys-only byConnection index', () => {
    const [table] = ofType('AWS::DynamoDB::GlobalTable');
    expect(table?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    const replicas = table?.Properties.Replicas as {
      PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean };
    }[];
    expect(replicas.map((r) => r.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled)).toEqual([
      true,
    ]);
    const indexes = table?.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string };
    }[];
    expect(indexes.find((i) => i.IndexName === 'byConnection')?.Projection.ProjectionType).toBe('KEYS_ONLY');
  });

  it('secrets: as many Secrets Manager secrets as the template defines', () => {
    expect(DEFAULT_ASSUMPTIONS.secrets).toBe(ofType('AWS::SecretsManager::Secret').length);
  });

  it('authorizerInvocationsPerConnect: $connect has a Lambda REQUEST authorizer, and only $connect', () => {
    const authorized = ofType('AWS::ApiGatewayV2::Route').filter(
      (r) => r.Properties.AuthorizationType === 'CUSTOM',
    );
    expect(authorized.map((r) => r.Properties.RouteKey)).toEqual(
      DEFAULT_ASSUMPTIONS.authorizerInvocationsPerConnect === 0 ? [] : ['$connect'],
    );
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers.map((a) => a.Properties.AuthorizerType)).toEqual(
      Array.from({ length: DEFAULT_ASSUMPTIONS.authorizerInvocationsPerConnect }, () => 'REQUEST'),
    );
  });

  it('no KMS line: the queues are encrypted with SQS-managed keys', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
    }
  });
});

describe('the cost model’s assumptions about the metrics', () => {
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** Records everything the metrics module can record, for every route, and returns the EMF lines. */
  const emitAll = async () => {
    vi.resetModules();
    const metrics = await import('../../../lambdas/adapters/metrics.js');
    const lines = captureEmf();
    for (const route of metrics.FAN_OUT_ROUTES) {
      metrics.recordFanOut(route, { delivered: 1, gone: 0, failed: 0, retried: 0, durationMs: 5 });
    }
    metrics.recordQueueLag(10);
    metrics.recordPostFailed();
    metrics.publishMetrics();
    return lines();
  };

  it('customMetrics: one per metric name and set of dimension values the functions write', async () => {
    const series = new Set<string>();
    for (const line of await emitAll()) {
      for (const directive of line._aws.CloudWatchMetrics) {
        for (const dimensions of directive.Dimensions) {
          const values = dimensions.map((d) => `${d}=${String(line[d])}`).join(',');
          for (const metric of directive.Metrics)
            series.add(`${directive.Namespace}/${metric.Name}{${values}}`);
        }
      }
    }
    expect(series.size).toBeGreaterThan(0);
    expect(DEFAULT_ASSUMPTIONS.customMetrics).toBe(series.size);
  });

  it('emfBytesPerFanOut: one fan-out’s EMF line plus 26 B of CloudWatch metadata, within 10 %', async () => {
    vi.resetModules();
    const metrics = await import('../../../lambdas/adapters/metrics.js');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    metrics.recordFanOut('publish', { delivered: 48, gone: 2, failed: 0, retried: 3, durationMs: 41 });
    metrics.publishMetrics();
    const bytes = Buffer.byteLength(String(log.mock.calls[0]?.[0]), 'utf8') + 26;
    expect(Math.abs(bytes - DEFAULT_ASSUMPTIONS.emfBytesPerFanOut) / bytes).toBeLessThan(0.1);
  });
});
