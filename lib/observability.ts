/**
 * Alarms and a dashboard for a {@link RealtimeApi}: each function's errors and throttles, `@connections` posts
 * that failed after their retries (the `ConnectionsPostFailed` metric the functions publish as EMF), the stage's
 * integration and execution errors, and any queue's depth (a dead-letter queue) through
 * {@link Observability.alarmOnQueueDepth}. Every alarm notifies one SNS topic when there is one: the caller's,
 * or a new one (encrypted with its own KMS key, TLS only) with an optional e-mail subscription.
 *
 * @module
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FAN_OUT_ROUTES, METRIC, ROUTE_DIMENSION, SERVICE_DIMENSION } from '../lambdas/adapters/metrics.js';

/** The period every alarm and graph aggregates over. */
export const OBSERVABILITY_PERIOD = Duration.minutes(5);

/**
 * Thresholds (per 5-minute period, `Sum`, one period to alarm): any error, throttle, failed post or message
 * left in a dead-letter queue is worth a look in an API whose handlers never throw by design.
 */
export const ALARM_THRESHOLDS = Object.freeze({
  functionErrors: 1,
  functionThrottles: 1,
  connectionsPostFailed: 1,
  integrationErrors: 1,
  executionErrors: 1,
  queueDepth: 1,
});

/** The alarms an {@link Observability} creates for `functions` functions, before any queue alarm. */
export const alarmCount = (functions: number): number => 2 * functions + 3;

/** How alarms notify, as {@link RealtimeApiProps.observability} takes it. */
export interface ObservabilityOptions {
  /**
   * Subscribe this address to a new alarm topic (AWS e-mails a confirmation link first).
   *
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /**
   * Send every alarm to this topic instead of a new one (not together with `alarmEmail`: subscribe the
   * address to your topic yourself).
   *
   * @default - a new topic when `alarmEmail` is set, otherwise none
   */
  readonly alarmTopic?: ITopic;
}

/** Properties of an {@link Observability}. */
export interface ObservabilityProps extends ObservabilityOptions {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** Every function of the API, each by a name used in construct ids and on the dashboard. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** `METRICS_NAMESPACE` of the functions. */
  readonly metricsNamespace: string;
  /** `POWERTOOLS_SERVICE_NAME` of the functions: the `service` dimension of their metrics. */
  readonly serviceName: string;
  /** Applies to the alarm topic's key. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The alarms, the optional alarm topic and the dashboard of one API.
 *
 * @example
 * const observability = new Observability(this, 'Observability', { api, stage, functions, … });
 * observability.alarmOnQueueDepth(deadLetterQueue, 'FanOutDlq');
 */
export class Observability extends Construct {
  /** Where every alarm's action goes, when there is a topic. */
  public readonly alarmTopic: ITopic | undefined;
  /** The dashboard: connections, messages, fan-out and Lambda health. */
  public readonly dashboard: Dashboard;
  readonly #alarms: Alarm[] = [];
  readonly #props: ObservabilityProps;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.#props = props;
    this.alarmTopic = props.alarmTopic ?? (props.alarmEmail === undefined ? undefined : this.createTopic());
    if (props.alarmEmail !== undefined && this.alarmTopic instanceof Topic) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      const options = { period: OBSERVABILITY_PERIOD, statistic: 'Sum' };
      this.alarm(
        `${name}Errors`,
        fn.metricErrors(options),
        ALARM_THRESHOLDS.functionErrors,
        `${name}: errors`,
      );
      this.alarm(
        `${name}Throttles`,
        fn.metricThrottles(options),
        ALARM_THRESHOLDS.functionThrottles,
        `${name}: throttled invocations`,
      );
    }
    this.alarm(
      'ConnectionsPostFailed',
      this.customMetric(METRIC.connectionsPostFailed, 'Sum'),
      ALARM_THRESHOLDS.connectionsPostFailed,
      '@connections posts that failed for good (after retries); the fan-out log has their awsRequestId',
    );
    this.alarm(
      'IntegrationErrors',
      this.apiMetric('IntegrationError', 'Sum'),
      ALARM_THRESHOLDS.integrationErrors,
      'API Gateway: integrations that answered 4XX/5XX',
    );
    this.alarm(
      'ExecutionErrors',
      this.apiMetric('ExecutionError', 'Sum'),
      ALARM_THRESHOLDS.executionErrors,
      'API Gateway: errors calling an integration',
    );
    this.dashboard = this.createDashboard();
  }

  /** Every alarm created so far. */
  public get alarms(): readonly Alarm[] {
    return [...this.#alarms];
  }

  /**
   * Alarms when `queue` holds a visible message (`ApproximateNumberOfMessagesVisible`, maximum over 5
   * minutes): for a dead-letter queue, a message that was never delivered.
   *
   * @example
   * observability.alarmOnQueueDepth(fanOutQueue.deadLetterQueue, 'FanOutDlq');
   */
  public alarmOnQueueDepth(queue: IQueue, id: string): Alarm {
    return this.alarm(
      `${id}Depth`,
      queue.metricApproximateNumberOfMessagesVisible({ period: OBSERVABILITY_PERIOD, statistic: 'Maximum' }),
      ALARM_THRESHOLDS.queueDepth,
      `${id}: messages waiting (a dead-letter queue holds undelivered messages)`,
    );
  }

  /**
   * Adopts an alarm made elsewhere (e.g. the fan-out dead-letter queue's): it notifies the alarm topic, when
   * there is one, and counts among {@link alarms}.
   */
  public notifyOn(alarm: Alarm): void {
    if (this.alarmTopic !== undefined) {
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    }
    this.#alarms.push(alarm);
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${Stack.of(this).stackName} ${description}`,
    });
    this.notifyOn(alarm);
    return alarm;
  }

  /** An SNS topic only TLS clients may use, encrypted with a key CloudWatch may use to publish to it. */
  private createTopic(): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm topic of the realtime API',
      enableKeyRotation: true,
      removalPolicy: this.#props.removalPolicy,
    });
    // CloudWatch publishes alarm notifications to an encrypted topic only with the key's permission.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  }

  private customMetric(metricName: string, statistic: string, route?: string): Metric {
    return new Metric({
      namespace: this.#props.metricsNamespace,
      metricName,
      dimensionsMap: {
        [SERVICE_DIMENSION]: this.#props.serviceName,
        ...(route === undefined ? {} : { [ROUTE_DIMENSION]: route }),
      },
      statistic,
      period: OBSERVABILITY_PERIOD,
      ...(route === undefined ? {} : { label: `${metricName} ${route}` }),
    });
  }

  private apiMetric(metricName: string, statistic: string): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: this.#props.api.apiId, Stage: this.#props.stage.stageName },
      statistic,
      period: OBSERVABILITY_PERIOD,
    });
  }

  private createDashboard(): Dashboard {
    const { functions } = this.#props;
    const perRoute = (name: string, statistic: string): Metric[] =>
      FAN_OUT_ROUTES.map((route) => this.customMetric(name, statistic, route));
    const perFunction = (metric: (fn: IFunction) => IMetric): IMetric[] =>
      Object.values(functions).map(metric);
    const options = (statistic: string) => ({ period: OBSERVABILITY_PERIOD, statistic });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-realtime`,
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          `**${Stack.of(this).stackName}** — fan-out metrics in namespace \`${this.#props.metricsNamespace}\`, ` +
          'dimensions `service` and `route`; failed posts carry `awsRequestId` in the `fan-out` log line.',
        width: 24,
        height: 1,
      }),
    );
    dashboard.addWidgets(
      graph(
        'Connections and messages',
        [this.apiMetric('ConnectCount', 'Sum')],
        [this.apiMetric('MessageCount', 'Sum')],
      ),
      graph('API Gateway errors', [
        this.apiMetric('IntegrationError', 'Sum'),
        this.apiMetric('ExecutionError', 'Sum'),
        this.apiMetric('ClientError', 'Sum'),
      ]),
      graph('@connections posts failed', [this.customMetric(METRIC.connectionsPostFailed, 'Sum')]),
    );
    dashboard.addWidgets(
      graph('Fan-out delivered', perRoute(METRIC.delivered, 'Sum')),
      graph('Fan-out failed, gone and retried', [
        ...perRoute(METRIC.failed, 'Sum'),
        ...perRoute(METRIC.gone, 'Sum'),
        ...perRoute(METRIC.retried, 'Sum'),
      ]),
      graph('Fan-out duration (p99, ms)', perRoute(METRIC.fanOutDuration, 'p99'), [
        this.customMetric(METRIC.queueLag, 'p99'),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Lambda errors',
        perFunction((fn) => fn.metricErrors(options('Sum'))),
      ),
      graph(
        'Lambda duration (p99, ms)',
        perFunction((fn) => fn.metricDuration(options('p99'))),
      ),
      graph(
        'Lambda throttles',
        perFunction((fn) => fn.metricThrottles(options('Sum'))),
      ),
    );
    return dashboard;
  }
}
