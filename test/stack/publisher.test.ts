import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { RealtimeStack } from '../../lib/realtime-stack.js';
import { actionsOf, logicalIdOf, statementsOfRole, synthRealtimeStack, testApp } from './synth.js';

// GIVEN the stack with default props (stage prod)
const { stack, template } = synthRealtimeStack();
const realtime = stack.realtime;
const publisherId = logicalIdOf(realtime.publisher);
const tableArn = { 'Fn::GetAtt': [logicalIdOf(realtime.table), 'Arn'] };

describe('publisher (server-side publish)', () => {
  it('is a function built like the routes, invoked by no route and no event source', () => {
    expect(template.toJSON().Resources[publisherId].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
      Environment: { Variables: { TABLE_NAME: expect.anything(), CALLBACK_URL: expect.anything() } },
    });
    expect(Object.values(realtime.functions)).not.toContain(realtime.publisher);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(
      permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(publisherId)),
    ).toEqual([]);
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.filter((m) => JSON.stringify(m.Properties.FunctionName).includes(publisherId))).toEqual(
      [],
    );
  });

  it('iam: may publish (seq, history, subscribers), read byUser, remove gone recipients and post: nothing else', () => {
    const statements = statementsOfRole(template, logicalIdOf(realtime.publisher.role ?? realtime.publisher));
    const byResource = (resource: unknown) =>
      statements
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(resource))
        .flatMap(actionsOf)
        .sort();
    expect(byResource(tableArn)).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    expect(byResource({ 'Fn::Join': ['', [tableArn, '/index/byConnection']] })).toEqual(['dynamodb:Query']);
    expect(byResource({ 'Fn::Join': ['', [tableArn, '/index/byUser']] })).toEqual(['dynamodb:Query']);
    const manage = statements.filter((statement) =>
      actionsOf(statement).includes('execute-api:ManageConnections'),
    );
    expect(manage).toHaveLength(1);
    expect(JSON.stringify(manage[0]?.Resource)).toContain('/prod/*/@connections/*');
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('outputs: PublishFunctionName is the publisher function', () => {
    template.hasOutput('PublishFunctionName', { Value: { Ref: publisherId } });
  });

  it('grantPublish: lambda:InvokeFunction on the publisher function only', () => {
    // GIVEN a backend role in the same stack
    const app = testApp();
    const withBackend = new RealtimeStack(app, 'GrantStack');
    const backend = new Role(withBackend, 'Backend', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    // WHEN
    withBackend.realtime.grantPublish(backend);
    // THEN
    const granted = Template.fromStack(withBackend);
    const statements = statementsOfRole(granted, logicalIdOf(backend));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalIdOf(withBackend.realtime.publisher), 'Arn'] },
      },
    ]);
  });

  it('leaves no unacknowledged cdk-nag finding', { timeout: 30_000 }, () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const onPublisher = report.violations.filter((violation) =>
      violation.violatingResources.some((resource) => resource.constructPath?.includes('/Publisher/')),
    );
    expect(onPublisher).toEqual([]);
  });
});
