import { describe, expect, it } from 'vitest';
import { actionsOf, allStatements, logicalIdOf, statementsOfRole, synthRealtimeStack } from './synth.js';

// GIVEN the stack with default props (stage prod)
const { stack, template } = synthRealtimeStack();
const realtime = stack.realtime;
const tableArn = { 'Fn::GetAtt': [logicalIdOf(realtime.table), 'Arn'] };
const indexArn = { 'Fn::Join': ['', [tableArn, '/index/byConnection']] };
const userIndexArn = { 'Fn::Join': ['', [tableArn, '/index/byUser']] };
const rankIndexArn = { 'Fn::Join': ['', [tableArn, '/index/byRank']] };
const queueArn = { 'Fn::GetAtt': [logicalIdOf(realtime.fanOutQueue.queue), 'Arn'] };
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
/** Closing only: what the rate limit needs on a route that posts nothing else. */
const closeConnectionsArn = {
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
      '/prod/DELETE/@connections/*',
    ],
  ],
};

/** What each function may do, per the README's design (written out, not derived from lib/routes.ts). */
interface Access {
  readonly table: string[];
  readonly index: string[];
  /** On the byUser index (a user's connections). */
  readonly userIndex: string[];
  /** On the byRank index (a board's ranking). */
  readonly rankIndex: string[];
  readonly manageConnections: boolean;
  /** DeleteConnection only. */
  readonly closeConnections: boolean;
}
/** Removing a connection found gone: read who it was (META), list its items on the index, delete them. */
const REMOVE = ['dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'];
/** A fan-out: page through recipients (subscribers or present members), post, remove the gone ones. */
const FAN_OUT = {
  index: ['dynamodb:Query'],
  userIndex: [],
  rankIndex: [],
  manageConnections: true,
  closeConnections: false,
};
const NONE = {
  table: [],
  index: [],
  userIndex: [],
  rankIndex: [],
  manageConnections: false,
  closeConnections: false,
};
/** The rate limit, on every message route: conditional updates of META (and a read), closing abusers. */
const RATE_LIMIT = ['dynamodb:UpdateItem', 'dynamodb:GetItem'];
/** A message route that only reads or writes what its row says, plus the rate limit. */
const limited = (table: string[], rankIndex: string[] = []): Access => ({
  table: [...table, ...RATE_LIMIT],
  index: [],
  userIndex: [],
  rankIndex,
  manageConnections: false,
  closeConnections: true,
});
const EXPECTED: Record<string, Access> = {
  // byUser: counting the user's connections against the per-user cap.
  connect: { ...NONE, table: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], userIndex: ['dynamodb:Query'] },
  // Removes the connection, then announces its leave where it was present.
  disconnect: { ...FAN_OUT, table: [...REMOVE, 'dynamodb:Query'] },
  default: limited([]),
  sendmessage: { ...FAN_OUT, table: [...REMOVE, 'dynamodb:Query', ...RATE_LIMIT] },
  // PutItem: subscription and presence; GetItem: who, seq, board version; Query: history, present members;
  // byRank: the board's snapshot in the ack.
  subscribe: {
    ...FAN_OUT,
    table: [...REMOVE, 'dynamodb:Query', 'dynamodb:PutItem', ...RATE_LIMIT],
    rankIndex: ['dynamodb:Query'],
  },
  // DeleteItem: the subscription and the presence item.
  unsubscribe: { ...FAN_OUT, table: [...REMOVE, 'dynamodb:Query', ...RATE_LIMIT] },
  // UpdateItem: the seq counter; PutItem/DeleteItem: the kept history; GetItem: the author.
  publish: { ...FAN_OUT, table: [...REMOVE, 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] },
  ping: limited([]),
  history: limited(['dynamodb:GetItem', 'dynamodb:Query']),
  // UpdateItem: the score, its rank key and the board's version.
  score: {
    ...FAN_OUT,
    table: [...REMOVE, 'dynamodb:Query', 'dynamodb:UpdateItem', ...RATE_LIMIT],
    rankIndex: ['dynamodb:Query'],
  },
  top: limited(['dynamodb:GetItem'], ['dynamodb:Query']),
  presence: limited(['dynamodb:Query']),
  // GetItem: the sender's client id; byUser: the addressed user's connections.
  sendtouser: {
    ...FAN_OUT,
    table: [...REMOVE, 'dynamodb:Query', ...RATE_LIMIT],
    userIndex: ['dynamodb:Query'],
  },
};

/** Sorts a function's statements into table / index / connections / own log group; anything else is a leak. */
function accessOf(handler: string): Access & { logs: string[]; queue: string[]; other: unknown[] } {
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
    userIndex: [] as string[],
    rankIndex: [] as string[],
    manageConnections: false,
    closeConnections: false,
    logs: [] as string[],
    queue: [] as string[],
  };
  const other: unknown[] = [];
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    if (own(statement.Resource, tableArn)) result.table.push(...actionsOf(statement));
    else if (own(statement.Resource, indexArn)) result.index.push(...actionsOf(statement));
    else if (own(statement.Resource, userIndexArn)) result.userIndex.push(...actionsOf(statement));
    else if (own(statement.Resource, rankIndexArn)) result.rankIndex.push(...actionsOf(statement));
    else if (own(statement.Resource, stageConnectionsArn)) {
      expect(actionsOf(statement)).toEqual(['execute-api:ManageConnections']);
      result.manageConnections = true;
    } else if (own(statement.Resource, closeConnectionsArn)) {
      expect(actionsOf(statement)).toEqual(['execute-api:ManageConnections']);
      result.closeConnections = true;
    } else if (own(statement.Resource, queueArn)) result.queue.push(...actionsOf(statement));
    else if (own(statement.Resource, { 'Fn::GetAtt': [logGroupId, 'Arn'] }))
      result.logs.push(...actionsOf(statement));
    else other.push(statement);
  }
  return {
    ...result,
    table: result.table.sort(),
    index: result.index.sort(),
    userIndex: result.userIndex.sort(),
    rankIndex: result.rankIndex.sort(),
    other,
  };
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
        userIndex: actual.userIndex,
        rankIndex: actual.rankIndex,
        manageConnections: actual.manageConnections,
        closeConnections: actual.closeConnections,
      }).toEqual({
        table: [...new Set(expected.table)].sort(),
        index: [...expected.index].sort(),
        userIndex: [...expected.userIndex].sort(),
        rankIndex: [...expected.rankIndex].sort(),
        manageConnections: expected.manageConnections,
        closeConnections: expected.closeConnections,
      });
    },
  );

  it.each(Object.keys(EXPECTED))(
    'iam: only the routes that fan out may send to the fan-out queue (%s)',
    (handler) => {
      const expected = [
        'disconnect',
        'sendmessage',
        'subscribe',
        'unsubscribe',
        'publish',
        'score',
        'sendtouser',
      ].includes(handler)
        ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']
        : [];
      expect(accessOf(handler).queue.sort()).toEqual(expected);
    },
  );

  it.each(Object.keys(EXPECTED))('iam: the %s function writes only to its own log group', (handler) => {
    expect(accessOf(handler).logs.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('iam: default and ping touch only the rate limit (META) and @connections (closing abusers)', () => {
    for (const handler of ['default', 'ping']) {
      const fn = realtime.functions[handler];
      if (!fn?.role) throw new Error(`no role for ${handler}`);
      const actions = statementsOfRole(template, logicalIdOf(fn.role)).flatMap(actionsOf);
      expect(actions.filter((action) => !action.startsWith('logs:')).sort()).toEqual(
        ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'execute-api:ManageConnections'].sort(),
      );
    }
  });

  it('iam: ManageConnections is granted only on this API and stage: posting to the fan-out functions, closing alone to the others', () => {
    const grants = allStatements(template).filter((statement) =>
      actionsOf(statement).includes('execute-api:ManageConnections'),
    );
    for (const grant of grants)
      expect([stageConnectionsArn, closeConnectionsArn]).toContainEqual(grant.Resource);
    const handlersWith = (key: 'manageConnections' | 'closeConnections') =>
      Object.entries(EXPECTED)
        .filter(([, access]) => access[key])
        .map(([handler]) => handler)
        .sort();
    expect(handlersWith('manageConnections')).toEqual(
      ['disconnect', 'publish', 'score', 'sendmessage', 'sendtouser', 'subscribe', 'unsubscribe'].sort(),
    );
    // The rate limit closes abusers on every other message route: DELETE, never POST.
    expect(handlersWith('closeConnections')).toEqual(
      ['default', 'history', 'ping', 'presence', 'top'].sort(),
    );
    // One grant per such route function, and none to $connect.
    const routeGrants = (arn: unknown) =>
      Object.entries(realtime.functions)
        .flatMap(([handler, fn]) =>
          fn.role === undefined
            ? []
            : statementsOfRole(template, logicalIdOf(fn.role))
                .filter(
                  (statement) =>
                    actionsOf(statement).includes('execute-api:ManageConnections') &&
                    JSON.stringify(statement.Resource) === JSON.stringify(arn),
                )
                .map(() => handler),
        )
        .sort();
    expect(routeGrants(stageConnectionsArn)).toEqual(handlersWith('manageConnections'));
    expect(routeGrants(closeConnectionsArn)).toEqual(handlersWith('closeConnections'));
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
