import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FANOUT_WORKER_TIMEOUT } from '../../lib/fan-out-queue.js';
import { actionsOf, logicalIdOf, statementsOfRole, synthRealtimeStack } from './synth.js';

// GIVEN the stack with default props, and one with the fan-out props set
const { stack, template } = synthRealtimeStack();
const fanOut = stack.realtime.fanOutQueue;
const queueId = logicalIdOf(fanOut.queue);
const deadLetterId = logicalIdOf(fanOut.deadLetterQueue);
const workerId = logicalIdOf(fanOut.worker);
const tuned = synthRealtimeStack({
  fanOutMemorySize: 2048,
  fanOutBatchSize: 2,
  fanOutMaxConcurrency: 50,
  fanOutMaxReceiveCount: 3,
  fanOutInlineLimit: 0,
});

describe('FanOutQueue', () => {
  it('queue: encrypted, visibility timeout 6 × the worker timeout, dead-lettered after 5 receives', () => {
    expect(template.toJSON().Resources[queueId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: FANOUT_WORKER_TIMEOUT.toSeconds() * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(template.toJSON().Resources[deadLetterId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('queue: both queues refuse requests without TLS', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const denied = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).filter(
        (statement) => statement.Effect === 'Deny',
      ),
    );
    expect(denied).toHaveLength(2);
    expect(denied[0]?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('alarm: on the first visible message of the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(fanOut.deadLetterAlarm).toBeDefined();
  });

  it('worker: its own memory, the queue URL, fed by the queue with partial batch responses', () => {
    expect(template.toJSON().Resources[workerId].Properties).toMatchObject({
      MemorySize: 1024,
      Timeout: FANOUT_WORKER_TIMEOUT.toSeconds(),
      Environment: {
        Variables: {
          FANOUT_QUEUE_URL: { Ref: queueId },
          FANOUT_DLQ_URL: { Ref: deadLetterId },
          FANOUT_MAX_ATTEMPTS: '5',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('worker: consumes and sends to the queue, and nothing else of SQS', () => {
    const sqsActions = statementsOfRole(template, logicalIdOf(fanOut.worker.role ?? fanOut.worker))
      .filter(
        (statement) =>
          JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
      )
      .flatMap(actionsOf)
      .sort();
    expect(sqsActions).toEqual(
      expect.arrayContaining([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ]),
    );
    expect(sqsActions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('worker: may only send to the dead-letter queue (for recipients that failed every attempt)', () => {
    const dlqActions = statementsOfRole(template, logicalIdOf(fanOut.worker.role ?? fanOut.worker))
      .filter(
        (statement) =>
          JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [deadLetterId, 'Arn'] }),
      )
      .flatMap(actionsOf)
      .sort();
    expect(dlqActions).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('every function that fans out (routes, reaper, publisher) gets the queue, and the others do not', () => {
    const realtime = stack.realtime;
    const fanningOut = [
      'disconnect',
      'sendmessage',
      'subscribe',
      'unsubscribe',
      'publish',
      'score',
      'sendtouser',
    ].map((name) => realtime.functions[name]);
    for (const fn of [...fanningOut, realtime.reaper, realtime.publisher]) {
      if (fn === undefined) throw new Error('missing function');
      expect(template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables).toMatchObject({
        FANOUT_QUEUE_URL: { Ref: queueId },
        FANOUT_INLINE_LIMIT: '1000',
      });
      const sends = statementsOfRole(template, logicalIdOf(fn.role ?? fn))
        .filter(
          (statement) =>
            JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
        )
        .flatMap(actionsOf);
      expect(sends).toContain('sqs:SendMessage');
    }
    for (const name of ['connect', 'default', 'history', 'top', 'presence', 'ping']) {
      const fn = realtime.functions[name];
      if (fn === undefined) throw new Error(`missing function ${name}`);
      expect(
        template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables.FANOUT_QUEUE_URL,
      ).toBeUndefined();
    }
  });

  it('fanOutMemorySize, fanOutBatchSize, fanOutMaxConcurrency, fanOutMaxReceiveCount, fanOutInlineLimit: applied', () => {
    const t = tuned.template;
    const q = logicalIdOf(tuned.stack.realtime.fanOutQueue.queue);
    expect(
      t.toJSON().Resources[logicalIdOf(tuned.stack.realtime.fanOutQueue.worker)].Properties.MemorySize,
    ).toBe(2048);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 2,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    const publish = tuned.stack.realtime.functions.publish;
    if (publish === undefined) throw new Error('no publish function');
    expect(t.toJSON().Resources[logicalIdOf(publish)].Properties.Environment.Variables).toMatchObject({
      FANOUT_INLINE_LIMIT: '0',
      FANOUT_QUEUE_URL: { Ref: q },
    });
  });
});

describe('fan-out props validation', () => {
  it.each([
    [{ fanOutMaxConcurrency: 1 }, /fanOutMaxConcurrency must be an integer from 2 to 1000, got 1/],
    [{ fanOutMemorySize: 64 }, /fanOutMemorySize must be an integer from 128 to 10240, got 64/],
    [{ fanOutInlineLimit: -1 }, /fanOutInlineLimit must be an integer from 0/],
    [{ fanOutBatchSize: 11 }, /fanOutBatchSize must be an integer from 1 to 10, got 11/],
  ])('fails %j', (props, message) => {
    expect(() => synthRealtimeStack(props)).toThrow(message);
  });
});
