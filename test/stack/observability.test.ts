import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { alarmCount } from '../../lib/observability.js';
import { RealtimeStack } from '../../lib/realtime-stack.js';
import { ROUTES } from '../../lib/routes.js';
import { findings } from './nag-findings.js';
import { logicalIdOf, synthRealtimeStack, testApp } from './synth.js';

// GIVEN the stack with default props: alarms and dashboard, no topic
const { stack, template } = synthRealtimeStack();
const observability = stack.realtime.observability;
const functionCount = ROUTES.length + 3; // every route, the reaper, the publisher and the fan-out worker
/** The fan-out dead-letter queue's alarm, which the stack adopts (it notifies the same topic). */
const adopted = 1;

const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm'));
const alarmsOn = (metricName: string) =>
  alarms().filter((alarm) => alarm.Properties.MetricName === metricName);

describe('observability', () => {
  it('observability: alarms on every function’s errors and throttles, failed posts and the stage’s errors', () => {
    expect(alarmsOn('Errors')).toHaveLength(functionCount);
    expect(alarmsOn('Throttles')).toHaveLength(functionCount);
    expect(alarms()).toHaveLength(alarmCount(functionCount) + adopted);
    const errorAlarmOf = (fn: unknown) =>
      alarmsOn('Errors').filter(
        (alarm) =>
          JSON.stringify(alarm.Properties.Dimensions) ===
          JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fn } }]),
      );
    for (const fn of [...Object.values(stack.realtime.functions), stack.realtime.reaper]) {
      expect(errorAlarmOf(logicalIdOf(fn))).toHaveLength(1);
    }
  });

  it('observability: the failed-posts alarm watches ConnectionsPostFailed in the namespace, by service', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RealtimeApi',
      MetricName: 'ConnectionsPostFailed',
      Dimensions: [{ Name: 'service', Value: 'realtime-websocket-api' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(['IntegrationError', 'ExecutionError'])('observability: alarms on the stage’s %s', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: metricName,
      Dimensions: Match.arrayWith([
        { Name: 'ApiId', Value: { Ref: logicalIdOf(stack.realtime.api) } },
        { Name: 'Stage', Value: Match.anyValue() },
      ]),
      Statistic: 'Sum',
    });
  });

  it('observability: the functions get METRICS_NAMESPACE', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ METRICS_NAMESPACE: 'RealtimeApi' }) },
    });
  });

  it('observability: no topic and no alarm action unless asked', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(alarms().filter((alarm) => alarm.Properties.AlarmActions !== undefined)).toEqual([]);
    expect(observability?.alarmTopic).toBeUndefined();
  });

  it('observability: a dashboard with the connections, fan-out and Lambda graphs', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const expected of [
      'ConnectCount',
      'MessageCount',
      'Delivered',
      'Failed',
      'FanOutDuration',
      'Throttles',
    ]) {
      expect(body).toContain(expected);
    }
  });

  it('alarmOnQueueDepth: alarms when the queue holds a visible message', () => {
    // GIVEN a stack not synthesized yet (the tree cannot change after synthesis)
    const own = new RealtimeStack(testApp(), 'QueueStack');
    const queue = new Queue(own, 'Dlq', { enforceSSL: true });
    const before = own.realtime.observability?.alarms.length ?? 0;

    own.realtime.observability?.alarmOnQueueDepth(queue, 'FanOutDlq');

    expect(own.realtime.observability?.alarms).toHaveLength(before + 1);
    Template.fromStack(own).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  it('observability.alarmEmail: a KMS-encrypted, TLS-only topic with the address, on every alarm', () => {
    const { stack: own, template: withEmail } = synthRealtimeStack({
      observability: { alarmEmail: 'ops@example.com' },
    });

    // cdk-nag: SNS2 (encryption), SNS3 (TLS) and KMS5 (rotation) are met, not acknowledged.
    expect(findings(own)).toEqual([]);
    withEmail.resourceCountIs('AWS::SNS::Topic', 1);
    withEmail.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    withEmail.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    withEmail.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    const all = Object.values(withEmail.findResources('AWS::CloudWatch::Alarm'));
    expect(all).toHaveLength(alarmCount(functionCount) + adopted);
    expect(all.every((alarm) => (alarm.Properties.AlarmActions as unknown[]).length === 1)).toBe(true);
  });

  it('observability.alarmTopic: every alarm goes to the given topic, and no topic is created', () => {
    const topic = Topic.fromTopicArn(new Stack(), 'Ops', 'arn:aws:sns:us-east-1:123456789012:ops');
    const { template: withTopic } = synthRealtimeStack({ observability: { alarmTopic: topic } });

    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    const all = Object.values(withTopic.findResources('AWS::CloudWatch::Alarm'));
    expect(all.length).toBe(alarmCount(functionCount) + adopted);
    expect(
      all.every(
        (alarm) =>
          JSON.stringify(alarm.Properties.AlarmActions) ===
          JSON.stringify(['arn:aws:sns:us-east-1:123456789012:ops']),
      ),
    ).toBe(true);
  });

  it("observability: false leaves out alarms and the dashboard, but for the dead-letter queue's own", () => {
    const { stack: own, template: without } = synthRealtimeStack({ observability: false });

    without.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    expect(own.realtime.fanOutQueue.deadLetterAlarm).toBeDefined();
    without.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(own.realtime.observability).toBeUndefined();
  });
});
