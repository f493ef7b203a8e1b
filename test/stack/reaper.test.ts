import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { actionsOf, logicalIdOf, statementsOfRole, synthRealtimeStack } from './synth.js';

// GIVEN the stack with default props (stage prod)
const { stack, template } = synthRealtimeStack();
const realtime = stack.realtime;
const tableId = logicalIdOf(realtime.table);
const reaperId = logicalIdOf(realtime.reaper);
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const streamArn = { 'Fn::GetAtt': [tableId, 'StreamArn'] };

/** The mappings on the table's stream (the fan-out queue has its own). */
const mappings = () =>
  Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
    (mapping) => JSON.stringify(mapping.Properties.EventSourceArn) === JSON.stringify(streamArn),
  );

describe('reaper (TTL deletions of presence items → leave)', () => {
  it('the table streams old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'OLD_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('is a function built like the routes, but no route invokes it', () => {
    expect(template.toJSON().Resources[reaperId].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Environment: { Variables: { TABLE_NAME: { Ref: tableId }, CALLBACK_URL: expect.anything() } },
      LoggingConfig: { LogGroup: expect.anything() },
    });
    expect(Object.values(realtime.functions)).not.toContain(realtime.reaper);
    // No API Gateway permission: only the event source mapping invokes it.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(
      permissions.filter(
        (permission) =>
          JSON.stringify(permission.Properties.FunctionName) ===
          JSON.stringify({ 'Fn::GetAtt': [reaperId, 'Arn'] }),
      ),
    ).toEqual([]);
  });

  it('reads the stream from its end, in batches, bisecting and retrying failures, with partial batch responses', () => {
    expect(mappings()).toHaveLength(1);
    expect(mappings()[0]?.Properties).toMatchObject({
      FunctionName: { Ref: reaperId },
      EventSourceArn: streamArn,
      StartingPosition: 'LATEST',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('is filtered to TTL removals of presence items', () => {
    const filters = mappings()[0]?.Properties.FilterCriteria.Filters as { Pattern: string }[];
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.Pattern ?? '')).toEqual({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
      dynamodb: { OldImage: { pk: { S: [{ prefix: 'PRES#' }] } } },
    });
  });

  it('may query presence, remove gone recipients, post on this stage, and read the stream: nothing else', () => {
    const roleId = logicalIdOf(realtime.reaper.role ?? realtime.reaper);
    const statements = statementsOfRole(template, roleId);
    const byResource = (resource: unknown) =>
      statements
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(resource))
        .flatMap(actionsOf)
        .sort();
    expect(byResource(tableArn)).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query'].sort(),
    );
    expect(byResource({ 'Fn::Join': ['', [tableArn, '/index/byConnection']] })).toEqual(['dynamodb:Query']);
    expect(byResource(streamArn)).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ].sort(),
    );
    const manage = statements.filter((statement) =>
      actionsOf(statement).includes('execute-api:ManageConnections'),
    );
    expect(manage).toHaveLength(1);
    expect(JSON.stringify(manage[0]?.Resource)).toContain('/prod/*/@connections/*');
    const everyAction = statements.flatMap(actionsOf);
    expect(everyAction.filter((action) => action.includes('*'))).toEqual([]);
    expect(statements.filter((statement) => statement.Resource === '*')).toEqual([]);
  });

  it('leaves no unacknowledged cdk-nag finding', { timeout: 30_000 }, () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const onReaper = report.violations.filter((violation) =>
      violation.violatingResources.some((resource) => resource.constructPath?.includes('/Reaper/')),
    );
    expect(onReaper).toEqual([]);
  });
});
