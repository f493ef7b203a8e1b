/**
 * The deployable stack: one {@link RealtimeApi}, its outputs and its accepted cdk-nag findings.
 *
 * @module
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DemoSite } from './demo-site.js';
import {
  applyNagAcknowledgements,
  demoSiteNagAcknowledgements,
  realtimeApiNagAcknowledgements,
} from './nag-acknowledgements.js';
import { RealtimeApi } from './realtime-api.js';
import type { RealtimeApiProps } from './realtime-api-props.js';

/** Properties of a {@link RealtimeStack}: the stack's own plus every {@link RealtimeApiProps} knob. */
export interface RealtimeStackProps extends StackProps, RealtimeApiProps {
  /**
   * Host the demo page (S3 + CloudFront) from this directory of the built page, and output `DemoUrl`.
   * @default no demo page
   */
  readonly demoSource?: string;
}

/**
 * The realtime API as a stack, with outputs named for clients and operators: `WebSocketUrl` (what clients
 * connect to), `ManagementUrl` (the `@connections` endpoint), `TableName` and, in `hmac` auth mode,
 * `AuthSecretArn` (the secret of the token key).
 */
export class RealtimeStack extends Stack {
  /** The API and everything behind it. */
  public readonly realtime: RealtimeApi;
  /** The hosted demo page, when `demoSource` was given. */
  public readonly demo: DemoSite | undefined;

  constructor(scope: Construct, id: string, props: RealtimeStackProps = {}) {
    super(scope, id, props);
    const { stageName, throttle, routeThrottles, removalPolicy, logRetention, fanOutConcurrency } = props;
    const { memorySize } = props;
    const { timeout, fanOutTimeout, serviceName, cloudWatchRole, historySize, leaderboardSize } = props;
    const {
      auth,
      publicChannels,
      observability,
      metricsNamespace,
      maxConnectionsPerUser,
      fanOutInlineLimit,
      fanOutMemorySize,
      fanOutBatchSize,
      fanOutMaxConcurrency,
      fanOutMaxReceiveCount,
      rateLimit,
      maxSubscriptionsPerConnection,
    } = props;
    this.realtime = new RealtimeApi(this, 'RealtimeApi', {
      fanOutInlineLimit,
      fanOutMemorySize,
      fanOutBatchSize,
      fanOutMaxConcurrency,
      fanOutMaxReceiveCount,
      stageName,
      throttle,
      routeThrottles,
      removalPolicy,
      logRetention,
      fanOutConcurrency,
      memorySize,
      timeout,
      fanOutTimeout,
      serviceName,
      cloudWatchRole,
      historySize,
      leaderboardSize,
      rateLimit,
      maxSubscriptionsPerConnection,
      auth,
      publicChannels,
      observability,
      metricsNamespace,
      maxConnectionsPerUser,
    });
    applyNagAcknowledgements(realtimeApiNagAcknowledgements(this.realtime));

    new CfnOutput(this, 'WebSocketUrl', {
      description: 'wss:// URL clients connect to',
      value: this.realtime.url,
    });
    new CfnOutput(this, 'ManagementUrl', {
      description: 'API Gateway Management API endpoint (@connections) of the stage',
      value: this.realtime.callbackUrl,
    });
    new CfnOutput(this, 'PublishFunctionName', {
      description:
        'Lambda function a backend invokes to publish: { channel, data } or { user, data } (npm run publish)',
      value: this.realtime.publisher.functionName,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table of connections and subscriptions',
      value: this.realtime.table.tableName,
    });

    if (this.realtime.auth?.secret) {
      new CfnOutput(this, 'AuthSecretArn', {
        description:
          'Secrets Manager secret holding the HMAC key of connection tokens (read it to mint tokens: npm run token)',
        value: this.realtime.auth.secret.secretArn,
      });
    }

    if (props.demoSource !== undefined) {
      this.demo = new DemoSite(this, 'Demo', {
        source: props.demoSource,
        websocketUrl: this.realtime.url,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      applyNagAcknowledgements(demoSiteNagAcknowledgements(this.demo));
      new CfnOutput(this, 'DemoUrl', {
        description: 'The demo page (leaderboard, chat, presence), connected to this stage',
        value: this.demo.url,
      });
    }
  }
}
