import { describe, expect, it } from 'vitest';
import { actionsOf, allStatements, logicalIdOf, statementsOfRole, synthRealtimeStack } from './synth.js';

// GIVEN the stack with default props (stage prod)
const { stack, template } = synthRealtimeStack();
const realtime = stack.realtime;
const tableArn = { 'Fn::GetAtt': [logicalIdOf(realtime.table), 'Arn'] };
const indexArn = { 'Fn::Join': ['', [tableArn, '/index/byConnection']] };
const stageConnectionsArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      { Ref: logicalIdOf(realtime.api) },
      '/prod/*/@connections/*',
    ],
  ],
};

/** What each function may do, per the README's design (written out, not derived from lib/routes.ts). */
interface Access {
  readonly table: string[];
  readonly index: string[];
  readonly manageConnections: boolean;
}
const REMOVE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'];
const EXPECTED: Record<string, Access> = {
  connect: { table: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], index: [], manageConnections: false },
  disconnect: { table: REMOVE, index: ['dynamodb:Query'], manageConnections: false },
  default: { table: [], index: [], manageConnections: false },
  sendmessage: { table: [...REMOVE, 'dynamodb:Query'], index: ['dynamodb:Query'], manageConnections: true },
  subscribe: { table: ['dynamodb:PutItem'], index: [], manageConnections: false },
  unsubscribe: { table: ['dynamodb:DeleteItem'], index: [], manageConnections: false },
  publish: {
    table: [...REMOVE, 'dynamodb:Query', 'dynamodb:UpdateItem'],
    index: ['dynamodb:Query'],
    manageConnections: true,
  },
  ping: { table: [], index: [], manageConnections: false },
};

/** Sorts a function's statements into table / index / connections / own log group; anything else is a leak. */
function accessOf(handler: string): Access & { logs: string[]; other: unknown[] } {
  const fn = realtime.functions[handler];
  if (!fn?.role) throw new Error(`no function or role for ${handler}`);
  const statements = statementsOfRole(template, logicalIdOf(fn.role));
  const logGroupId = String(
    template.toJSON().Resources[logicalIdOf(fn)].Properties.LoggingConfig.LogGroup.Ref,
  );
  const own = (resource: unknown, expected: unknown) => JSON.stringify(resource) === JSON.stringify(expected);
  const result = {
    table: [] as string[],
    index: [] as string[],
    manageConnections: false,
    logs: [] as string[],
  };
  const other: unknown[] = [];
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    if (own(statement.Resource, tableArn)) result.table.push(...actionsOf(statement));
    else if (own(statement.Resource, indexArn)) result.index.push(...actionsOf(statement));
    else if (own(statement.Resource, stageConnectionsArn)) {
      expect(actionsOf(statement)).toEqual(['execute-api:ManageConnections']);
      result.manageConnections = true;
    } else if (own(statement.Resource, { 'Fn::GetAtt': [logGroupId, 'Arn'] }))
      result.logs.push(...actionsOf(statement));
    else other.push(statement);
  }
  return { ...result, table: result.table.sort(), index: result.index.sort(), other };
}

describe('RealtimeApi permissions', () => {
  it('iam: no statement grants a wildcard action', () => {
    const actions = allStatements(template).flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('iam: no statement applies to Resource "*"', () => {
    const resources = allStatements(template).flatMap((statement) =>
      Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
    );
    expect(resources).not.toContain('*');
  });

  it.each(Object.entries(EXPECTED))(
    'iam: the %s function gets exactly its own actions',
    (handler, expected) => {
      const actual = accessOf(handler);
      expect(actual.other).toEqual([]);
      expect({
        table: actual.table,
        index: actual.index,
        manageConnections: actual.manageConnections,
      }).toEqual({
        table: [...expected.table].sort(),
        index: [...expected.index].sort(),
        manageConnections: expected.manageConnections,
      });
    },
  );

  it.each(Object.keys(EXPECTED))('iam: the %s function writes only to its own log group', (handler) => {
    expect(accessOf(handler).logs.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('iam: default and ping have no DynamoDB or @connections rights at all', () => {
    for (const handler of ['default', 'ping']) {
      const fn = realtime.functions[handler];
      if (!fn?.role) throw new Error(`no role for ${handler}`);
      const actions = statementsOfRole(template, logicalIdOf(fn.role)).flatMap(actionsOf);
      expect(actions.filter((action) => !action.startsWith('logs:'))).toEqual([]);
    }
  });

  it('iam: ManageConnections is granted only on this API and stage, to the fan-out functions', () => {
    const grants = allStatements(template).filter((statement) =>
      actionsOf(statement).includes('execute-api:ManageConnections'),
    );
    expect(grants).toHaveLength(2);
    for (const grant of grants) expect(grant.Resource).toEqual(stageConnectionsArn);
  });

  it('iam: functions use their own roles, without AWS managed policies', () => {
    for (const fn of Object.values(realtime.functions)) {
      if (!fn.role) throw new Error(`no role for ${fn.node.path}`);
      const role = template.toJSON().Resources[logicalIdOf(fn.role)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });
});
