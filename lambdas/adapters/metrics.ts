/**
 * The custom metrics of every function, as CloudWatch Embedded Metric Format (EMF) lines written through
 * Powertools Metrics: CloudWatch turns each line into metric data points, with no API call and no extra
 * permission. The namespace comes from `METRICS_NAMESPACE`, the `service` dimension from
 * `POWERTOOLS_SERVICE_NAME` (the stack sets both).
 *
 * Metrics are buffered during an invocation and written at its end by {@link publishMetrics}, which the
 * handler wrapper (`handlers/support/lambda-entry.ts`) calls even when the handler throws. Fan-out metrics
 * carry a `route` dimension, so each route has its own buffer (EMF puts one set of dimensions on a line);
 * the rest carry only `service`. The names are exported for the stack's alarms and dashboard.
 *
 * @module
 */
import { getServiceName, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_SERVICE_NAME } from './logger.js';

/** The namespace of every metric when `METRICS_NAMESPACE` is unset. */
export const DEFAULT_METRICS_NAMESPACE = 'RealtimeApi';

/** The name of every custom metric (one fact, one place: the stack's alarms and dashboard import these). */
export const METRIC = Object.freeze({
  /** Recipients a fan-out posted to (per `route`, count). */
  delivered: 'Delivered',
  /** Recipients found gone (410) and removed (per `route`, count). */
  gone: 'Gone',
  /** Recipients not delivered after retries (per `route`, count). */
  failed: 'Failed',
  /** Retries of throttled or failed posts (per `route`, count). */
  retried: 'Retried',
  /** Time from the first page read to the last post settled (per `route`, milliseconds). */
  fanOutDuration: 'FanOutDuration',
  /** Age of a queued fan-out slice when a worker takes it (milliseconds, `service` only). */
  queueLag: 'QueueLag',
  /** `@connections` posts that failed for good, on any route (count, `service` only): the alarm's source. */
  connectionsPostFailed: 'ConnectionsPostFailed',
} as const);

/** The metrics each fan-out records with a `route` dimension. */
export const ROUTE_METRICS = Object.freeze([
  METRIC.delivered,
  METRIC.gone,
  METRIC.failed,
  METRIC.retried,
  METRIC.fanOutDuration,
] as const);

/** The metrics recorded with the `service` dimension only. */
export const SERVICE_METRICS = Object.freeze([METRIC.queueLag, METRIC.connectionsPostFailed] as const);

/**
 * The values of the `route` dimension: the routes (and the reaper) whose fan-outs record metrics. The stack's
 * dashboard draws one line per value, so a new fan-out caller adds its name here.
 */
export const FAN_OUT_ROUTES = Object.freeze([
  'publish',
  'sendmessage',
  'sendtouser',
  'score',
  'reaper',
  'publisher',
  'fanout-worker',
] as const);

/** A value of the `route` dimension. */
export type FanOutRoute = (typeof FAN_OUT_ROUTES)[number];

/**
 * How many custom metrics CloudWatch bills at most (one per name and set of dimension values; a metric with
 * no data in an hour is not billed for that hour).
 */
export const customMetricCount = (): number =>
  FAN_OUT_ROUTES.length * ROUTE_METRICS.length + SERVICE_METRICS.length;

/** The dimension that names the route of a fan-out metric (`publish`, `sendmessage`, …). */
export const ROUTE_DIMENSION = 'route';
/** The dimension Powertools puts on every metric: `POWERTOOLS_SERVICE_NAME`. */
export const SERVICE_DIMENSION = 'service';

/** The counts and duration of one fan-out, as {@link recordFanOut} takes them. */
export interface FanOutFigures {
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
  readonly retried: number;
  readonly durationMs: number;
}

/** The container's buffers: one without a route, one per route seen so far; and their common options. */
interface MetricsBuffers {
  readonly options: { readonly namespace: string; readonly serviceName: string };
  readonly base: Metrics;
  readonly routes: Map<FanOutRoute, Metrics>;
}

let buffers: MetricsBuffers | undefined;

/** Built on first use, not at import, so importing this module (the stack does) reads no environment. */
const containerBuffers = (): MetricsBuffers => {
  if (buffers === undefined) {
    const options = {
      namespace: getStringFromEnv({ key: 'METRICS_NAMESPACE', defaultValue: DEFAULT_METRICS_NAMESPACE }),
      serviceName: getServiceName() || DEFAULT_SERVICE_NAME,
    };
    buffers = { options, base: new Metrics(options), routes: new Map() };
  }
  return buffers;
};

const routeBuffer = (route: FanOutRoute): Metrics => {
  const { options, routes } = containerBuffers();
  let buffer = routes.get(route);
  if (buffer === undefined) {
    buffer = new Metrics({ ...options, defaultDimensions: { [ROUTE_DIMENSION]: route } });
    routes.set(route, buffer);
  }
  return buffer;
};

/**
 * Records one fan-out of `route`: `Delivered`, `Gone`, `Failed`, `Retried` and `FanOutDuration`, with
 * dimensions `service` and `route`.
 *
 * @example
 * recordFanOut('publish', { delivered: 48, gone: 2, failed: 0, retried: 3, durationMs: 41 });
 */
export const recordFanOut = (route: FanOutRoute, figures: FanOutFigures): void => {
  routeBuffer(route)
    .addMetric(METRIC.delivered, MetricUnit.Count, figures.delivered)
    .addMetric(METRIC.gone, MetricUnit.Count, figures.gone)
    .addMetric(METRIC.failed, MetricUnit.Count, figures.failed)
    .addMetric(METRIC.retried, MetricUnit.Count, figures.retried)
    .addMetric(METRIC.fanOutDuration, MetricUnit.Milliseconds, figures.durationMs);
};

/**
 * Records how long a queued fan-out slice waited, from its enqueue to a worker taking it (`QueueLag`, ms):
 * for the fan-out worker, e.g. from the SQS record's `attributes.SentTimestamp`.
 *
 * @example
 * recordQueueLag(Date.now() - Number(record.attributes.SentTimestamp));
 */
export const recordQueueLag = (ms: number): void => {
  containerBuffers().base.addMetric(METRIC.queueLag, MetricUnit.Milliseconds, Math.max(0, ms));
};

/**
 * Records `count` `@connections` posts that failed after the in-Lambda retries (`ConnectionsPostFailed`): an
 * `@connections` failure the owner should see, even when the recipient goes back to the queue for a later try.
 */
export const recordPostFailed = (count = 1): void => {
  containerBuffers().base.addMetric(METRIC.connectionsPostFailed, MetricUnit.Count, count);
};

/**
 * Writes every buffered metric as EMF lines and empties the buffers; buffers with nothing stored are skipped
 * (Powertools would warn about them). Called at the end of every invocation.
 */
export const publishMetrics = (): void => {
  if (buffers === undefined) return;
  for (const buffer of [buffers.base, ...buffers.routes.values()]) {
    if (buffer.hasStoredMetrics()) {
      buffer.publishStoredMetrics();
    }
  }
};
