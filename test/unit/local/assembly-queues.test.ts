import { describe, expect, it } from 'vitest';
import { readQueues } from '../../../local/assembly/queues.js';
import type { CfnResource } from '../../../local/assembly/template.js';

describe('readQueues', () => {
  it('reads a queue with a dead-letter queue as CDK writes it', () => {
    const resources: Record<string, CfnResource> = {
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
      Work: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'work',
          VisibilityTimeout: 60,
          DelaySeconds: 2,
          ReceiveMessageWaitTimeSeconds: '20',
          MaximumMessageSize: 1024,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 2 },
        },
      },
    };

    expect(readQueues('App', resources)).toEqual([
      {
        logicalId: 'Dlq',
        queueName: 'App-Dlq',
        fifo: false,
        visibilityTimeoutSeconds: 30,
        messageRetentionSeconds: 1209600,
        delaySeconds: 0,
        receiveMessageWaitTimeSeconds: 0,
        maximumMessageSize: 262144,
      },
      {
        logicalId: 'Work',
        queueName: 'work',
        fifo: false,
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 345600,
        delaySeconds: 2,
        receiveMessageWaitTimeSeconds: 20,
        maximumMessageSize: 1024,
        redrivePolicy: { deadLetterQueueName: 'App-Dlq', maxReceiveCount: 2 },
      },
    ]);
  });

  it('names a FIFO queue with .fifo and reads a redrive policy given as a JSON string with a literal ARN', () => {
    const resources: Record<string, CfnResource> = {
      Orders: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          FifoQueue: 'true',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq.fifo',
            maxReceiveCount: '5',
          }),
        },
      },
    };

    expect(readQueues('App', resources)).toEqual([
      expect.objectContaining({
        queueName: 'App-Orders.fifo',
        fifo: true,
        redrivePolicy: { deadLetterQueueName: 'orders-dlq.fifo', maxReceiveCount: 5 },
      }),
    ]);
  });

  it('ignores a redrive policy it cannot read, and cuts a generated name to 80 characters', () => {
    const resources: Record<string, CfnResource> = {
      [`Q${'x'.repeat(90)}`]: {
        Type: 'AWS::SQS::Queue',
        Properties: { RedrivePolicy: { deadLetterTargetArn: { Ref: 'Somewhere' }, maxReceiveCount: 2 } },
      },
      Table: { Type: 'AWS::DynamoDB::Table' },
    };

    const [queue, ...others] = readQueues('App', resources);

    expect(others).toEqual([]);
    expect(queue?.queueName).toHaveLength(80);
    expect(queue?.redrivePolicy).toBeUndefined();
  });
});
