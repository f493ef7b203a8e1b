import { describe, expect, it } from 'vitest';
import {
  readEventSourceMappings,
  readQueueEventSourceMappings,
} from '../../../local/assembly/event-source-mappings.js';
import type { CfnResource } from '../../../local/assembly/template.js';

const PATTERN = JSON.stringify({
  eventName: ['REMOVE'],
  dynamodb: { OldImage: { pk: { S: [{ prefix: 'PRES#' }] } } },
});

/** A stack with a streamed table, a plain table, a function and an SQS queue. */
const resources = (mappings: Record<string, CfnResource['Properties']>): Record<string, CfnResource> => ({
  Table: {
    Type: 'AWS::DynamoDB::GlobalTable',
    Properties: { StreamSpecification: { StreamViewType: 'OLD_IMAGE' } },
  },
  Plain: { Type: 'AWS::DynamoDB::Table', Properties: {} },
  Reaper: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'named-reaper' } },
  Queue: { Type: 'AWS::SQS::Queue' },
  ...Object.fromEntries(
    Object.entries(mappings).map(([id, properties]) => [
      id,
      {
        Type: 'AWS::Lambda::EventSourceMapping',
        ...(properties === undefined ? {} : { Properties: properties }),
      },
    ]),
  ),
});

describe('readEventSourceMappings', () => {
  it('reads a mapping on a table stream as CDK writes it', () => {
    const mappings = readEventSourceMappings(
      resources({
        Mapping: {
          FunctionName: { Ref: 'Reaper' },
          EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
          StartingPosition: 'LATEST',
          BatchSize: 100,
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 3,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          FilterCriteria: { Filters: [{ Pattern: PATTERN }] },
        },
      }),
    );
    expect(mappings).toEqual([
      {
        logicalId: 'Mapping',
        functionId: 'Reaper',
        tableLogicalId: 'Table',
        streamViewType: 'OLD_IMAGE',
        batchSize: 100,
        maximumRetryAttempts: 3,
        reportBatchItemFailures: true,
        filterPatterns: [PATTERN],
        enabled: true,
      },
    ]);
  });

  it("applies Lambda's defaults and accepts a function ARN or literal name", () => {
    const mappings = readEventSourceMappings(
      resources({
        ByArn: {
          FunctionName: { 'Fn::GetAtt': ['Reaper', 'Arn'] },
          EventSourceArn: { 'Fn::GetAtt': 'Plain.StreamArn' },
          Enabled: 'false',
        },
        ByName: { FunctionName: 'named-reaper', EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } },
      }),
    );
    expect(mappings).toEqual([
      expect.objectContaining({
        logicalId: 'ByArn',
        functionId: 'Reaper',
        tableLogicalId: 'Plain',
        streamViewType: 'KEYS_ONLY',
        batchSize: 100,
        maximumRetryAttempts: -1,
        reportBatchItemFailures: false,
        filterPatterns: [],
        enabled: false,
      }),
      expect.objectContaining({ logicalId: 'ByName', functionId: 'Reaper', tableLogicalId: 'Table' }),
    ]);
  });

  it('leaves out mappings on other sources or to unknown functions', () => {
    expect(
      readEventSourceMappings(
        resources({
          Sqs: { FunctionName: { Ref: 'Reaper' }, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
          TableArn: { FunctionName: { Ref: 'Reaper' }, EventSourceArn: { 'Fn::GetAtt': ['Table', 'Arn'] } },
          Literal: {
            FunctionName: { Ref: 'Reaper' },
            EventSourceArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x',
          },
          NoFunction: {
            FunctionName: { Ref: 'Missing' },
            EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
          },
          NoProperties: undefined,
        }),
      ),
    ).toEqual([]);
  });
});

describe('readQueueEventSourceMappings', () => {
  it('reads a mapping on a queue as CDK writes it', () => {
    const mappings = readQueueEventSourceMappings(
      resources({
        Worker: {
          FunctionName: { Ref: 'Reaper' },
          EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          BatchSize: 5,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 3 },
          FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["job"]}}' }] },
        },
      }),
    );
    expect(mappings).toEqual([
      {
        logicalId: 'Worker',
        functionId: 'Reaper',
        queueLogicalId: 'Queue',
        batchSize: 5,
        maximumBatchingWindowSeconds: 1,
        reportBatchItemFailures: true,
        maximumConcurrency: 3,
        filterPatterns: ['{"body":{"kind":["job"]}}'],
        enabled: true,
      },
    ]);
  });

  it("applies Lambda's SQS defaults and leaves out stream mappings and unknown functions", () => {
    const mappings = readQueueEventSourceMappings(
      resources({
        Plain: {
          FunctionName: 'named-reaper',
          EventSourceArn: { 'Fn::GetAtt': 'Queue.Arn' },
          Enabled: false,
        },
        Stream: { FunctionName: { Ref: 'Reaper' }, EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } },
        NoFunction: { FunctionName: { Ref: 'Missing' }, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
        QueueUrl: { FunctionName: { Ref: 'Reaper' }, EventSourceArn: { Ref: 'Queue' } },
      }),
    );
    expect(mappings).toEqual([
      {
        logicalId: 'Plain',
        functionId: 'Reaper',
        queueLogicalId: 'Queue',
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        filterPatterns: [],
        enabled: false,
      },
    ]);
  });
});
