import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../lambdas/core/protocol.js';
import {
  BY_CONNECTION_INDEX,
  BY_USER_INDEX,
  RANK_ATTRIBUTE,
  RANK_INDEX,
  TTL_ATTRIBUTE,
  USER_ID_ATTRIBUTE,
} from '../../lambdas/core/table-design.js';
import { ROUTES } from '../../lib/routes.js';
import { logicalIdOf, synthRealtimeStack } from './synth.js';

// GIVEN the stack with default props (synthesized once; every test only reads it)
const { stack, template } = synthRealtimeStack();
const realtime = stack.realtime;
const tableId = logicalIdOf(realtime.table);
const apiId = logicalIdOf(realtime.api);
/** What the stage's callback URL (`https://<api>.execute-api.<region>.<suffix>/prod`) synthesizes to. */
const callbackUrl = {
  'Fn::Join': [
    '',
    [
      'https://',
      { Ref: apiId },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/prod',
    ],
  ],
};

/** route key → handler name, as the README's protocol defines it. */
const ROUTE_HANDLERS: ReadonlyArray<readonly [string, string]> = [
  ['$connect', 'connect'],
  ['$disconnect', 'disconnect'],
  ['$default', 'default'],
  ['sendmessage', 'sendmessage'],
  ['subscribe', 'subscribe'],
  ['unsubscribe', 'unsubscribe'],
  ['publish', 'publish'],
  ['ping', 'ping'],
  ['history', 'history'],
  ['score', 'score'],
  ['top', 'top'],
  ['presence', 'presence'],
  ['sendtouser', 'sendtouser'],
];
const TWO_WAY_ROUTES = [
  '$default',
  'sendmessage',
  'subscribe',
  'unsubscribe',
  'publish',
  'ping',
  'history',
  'score',
  'top',
  'presence',
  'sendtouser',
];
const ONE_WAY_ROUTES = ['$connect', '$disconnect'];

function routeLogicalId(routeKey: string): string {
  const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } });
  const ids = Object.keys(routes);
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

function functionIdBehindRoute(routeKey: string): unknown {
  const route = template.toJSON().Resources[routeLogicalId(routeKey)];
  const integrationId: unknown = route.Properties.Target['Fn::Join'][1][1].Ref;
  const integration = template.toJSON().Resources[String(integrationId)];
  expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
  const uriParts: unknown[] = integration.Properties.IntegrationUri['Fn::Join'][1];
  const arn = uriParts.find((part) => typeof part === 'object' && part !== null && 'Fn::GetAtt' in part) as {
    'Fn::GetAtt': [string, string];
  };
  return arn['Fn::GetAtt'][0];
}

describe('RealtimeApi', () => {
  describe('api', () => {
    it('api: is one WebSocket API that selects routes on the action field of the body', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
    });

    it('routes: has exactly the thirteen routes of the protocol', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTE_HANDLERS.length);
      for (const [routeKey] of ROUTE_HANDLERS) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          ApiId: { Ref: apiId },
          RouteKey: routeKey,
        });
      }
    });

    it("routes: the custom routes are exactly the protocol's actions (lambdas/core/protocol.ts ACTIONS)", () => {
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties.RouteKey as string,
      );
      const customRouteKeys = routeKeys.filter((key) => !key.startsWith('$'));
      expect(customRouteKeys.sort()).toEqual([...ACTIONS].sort());
      expect(customRouteKeys).toHaveLength(new Set(customRouteKeys).size);
      const tableRouteKeys = ROUTES.map((route) => route.routeKey).filter((key) => !key.startsWith('$'));
      expect(tableRouteKeys.sort()).toEqual([...ACTIONS].sort());
    });

    it.each(ROUTE_HANDLERS)(
      'routes: %s invokes the %s handler through a Lambda proxy integration',
      (routeKey, handler) => {
        const fn = realtime.functions[handler];
        expect(fn).toBeDefined();
        if (!fn) return;
        expect(functionIdBehindRoute(routeKey)).toBe(logicalIdOf(fn));
        const properties = template.toJSON().Resources[logicalIdOf(fn)].Properties;
        expect(properties.Description).toBe(`WebSocket route ${routeKey}`);
      },
    );

    it('routes: every function may be invoked by API Gateway for its own route only', () => {
      // One per route, plus the $connect authorizer's (test/stack/auth.test.ts).
      template.resourceCountIs('AWS::Lambda::Permission', ROUTE_HANDLERS.length + 1);
      for (const [routeKey, handler] of ROUTE_HANDLERS) {
        const fn = realtime.functions[handler];
        if (!fn) throw new Error(`no function for ${handler}`);
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] },
          SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }, `/*${routeKey}`])] },
        });
      }
    });

    it('returnResponse: two-way routes have a route response and return it to the caller', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', TWO_WAY_ROUTES.length);
      for (const routeKey of TWO_WAY_ROUTES) {
        const routeId = routeLogicalId(routeKey);
        template.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', {
          RouteId: { Ref: routeId },
          RouteResponseKey: '$default',
        });
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          RouteResponseSelectionExpression: '$default',
        });
      }
    });

    it('returnResponse: $connect and $disconnect have no route response', () => {
      for (const routeKey of ONE_WAY_ROUTES) {
        const routeId = routeLogicalId(routeKey);
        const responses = template.findResources('AWS::ApiGatewayV2::RouteResponse', {
          Properties: { RouteId: { Ref: routeId } },
        });
        expect(Object.keys(responses)).toEqual([]);
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          RouteResponseSelectionExpression: Match.absent(),
        });
      }
    });
  });

  describe('stage', () => {
    it('stageName: defaults to prod and deploys every change automatically', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        ApiId: { Ref: apiId },
        StageName: 'prod',
        AutoDeploy: true,
      });
    });

    it('throttle: defaults to 500 requests per second with bursts of 1000 on every route', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      });
    });

    it('routeThrottles: gives $connect and the fan-out routes sendmessage, publish and score their own throttles', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: {
          $connect: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
          sendmessage: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 50 },
          publish: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
          score: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        },
      });
      // Every key is a route of the API, and no other route (ping, $disconnect, …) has one.
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties.RouteKey,
      );
      const throttled = Object.keys(stage?.Properties.RouteSettings ?? {});
      expect(throttled.sort()).toEqual(['$connect', 'publish', 'score', 'sendmessage']);
      expect(routeKeys).toEqual(expect.arrayContaining(throttled));
    });

    it('routeThrottles: the stage waits for every route its RouteSettings name (else API Gateway refuses it)', () => {
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const routes = template.findResources('AWS::ApiGatewayV2::Route');
      const dependsOn = new Set<string>(stage?.DependsOn ?? []);
      const awaited = Object.entries(routes)
        .filter(([id]) => dependsOn.has(id))
        .map(([, route]) => route.Properties.RouteKey as string);
      expect(awaited.sort()).toEqual(['$connect', 'publish', 'score', 'sendmessage']);
    });

    it('accessLogSettings: writes one JSON line per event to its own log group', () => {
      const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const settings = stages[0]?.Properties.AccessLogSettings;
      const destination: unknown = settings.DestinationArn['Fn::GetAtt'][0];
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        connectionId: '$context.connectionId',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        status: '$context.status',
        requestTime: '$context.requestTime',
        sourceIp: '$context.identity.sourceIp',
        integrationLatency: '$context.integrationLatency',
        errorMessage: '$context.error.message',
      });
      expect(template.toJSON().Resources[String(destination)].Type).toBe('AWS::Logs::LogGroup');
    });

    it('logRetention: keeps access logs for a month and retains them by default', () => {
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
      const logGroupId = String(stage?.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]);
      const logGroup = template.toJSON().Resources[logGroupId];
      expect(logGroup).toMatchObject({
        Properties: { RetentionInDays: 30 },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('cloudWatchRole: leaves the account-wide logging role alone by default, and still logs', () => {
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      expect(realtime.apiGatewayAccount).toBeUndefined();
      const roles = Object.values(template.findResources('AWS::IAM::Role'));
      // Only the functions' own roles, one per function.
      expect(roles).toHaveLength(Object.keys(template.findResources('AWS::Lambda::Function')).length);
      const assumedBy = roles.map((role) => JSON.stringify(role.Properties.AssumeRolePolicyDocument));
      expect(assumedBy.filter((doc) => doc.includes('apigateway.amazonaws.com'))).toEqual([]);
      expect(assumedBy.filter((doc) => !doc.includes('lambda.amazonaws.com'))).toEqual([]);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      });
    });
  });

  describe('table', () => {
    it('table: is one on-demand table keyed by pk and sk', () => {
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
      template.resourceCountIs('AWS::DynamoDB::Table', 0);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'connectionId', AttributeType: 'S' },
          { AttributeName: 'userId', AttributeType: 'S' },
          { AttributeName: 'rank', AttributeType: 'N' },
        ]),
      });
    });

    it('table: indexes every item of a connection by connectionId (keys only), and META items by userId', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byConnection',
            KeySchema: [
              { AttributeName: 'connectionId', KeyType: 'HASH' },
              { AttributeName: 'pk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: 'byUser',
            KeySchema: [
              { AttributeName: 'userId', KeyType: 'HASH' },
              { AttributeName: 'pk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['connectionId'] },
          },
        ],
      });
    });

    it("table: ranks a board's players on a local index by rank, projecting player and score", () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        LocalSecondaryIndexes: [
          {
            IndexName: 'byRank',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'rank', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['player', 'score'] },
          },
        ],
      });
    });

    it('table: expires items on the ttl attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
    });

    it('table: its indexes and TTL attribute carry the names the functions use (lambdas/core/table-design.ts)', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: BY_CONNECTION_INDEX }),
          Match.objectLike({
            IndexName: BY_USER_INDEX,
            KeySchema: Match.arrayWith([{ AttributeName: USER_ID_ATTRIBUTE, KeyType: 'HASH' }]),
          }),
        ],
        LocalSecondaryIndexes: [
          Match.objectLike({
            IndexName: RANK_INDEX,
            KeySchema: Match.arrayWith([{ AttributeName: RANK_ATTRIBUTE, KeyType: 'RANGE' }]),
          }),
        ],
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      });
    });

    it('table: has point-in-time recovery and AWS-managed KMS encryption', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      });
    });

    it('removalPolicy: retains the table by default', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('functions', () => {
    it('functions: one per route, all Node.js 24 on arm64 with an ESM handler', () => {
      const routeFunctions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
        String(fn.Properties.Description).startsWith('WebSocket route '),
      );
      expect(routeFunctions).toHaveLength(ROUTE_HANDLERS.length);
      expect(Object.keys(realtime.functions).sort()).toEqual(
        ROUTE_HANDLERS.map(([, handler]) => handler).sort(),
      );
      for (const fn of Object.values(realtime.functions)) {
        expect(template.toJSON().Resources[logicalIdOf(fn)].Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: 256,
        });
      }
    });

    it('environment: every function gets the table, the callback URL and its logging settings', () => {
      for (const [name, fn] of Object.entries(realtime.functions)) {
        const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
        const queued = [
          'disconnect',
          'sendmessage',
          'subscribe',
          'unsubscribe',
          'publish',
          'score',
          'sendtouser',
        ].includes(name)
          ? {
              FANOUT_QUEUE_URL: { Ref: logicalIdOf(realtime.fanOutQueue.queue) },
              FANOUT_INLINE_LIMIT: '1000',
            }
          : {};
        expect(variables).toEqual({
          ...queued,
          TABLE_NAME: { Ref: tableId },
          CALLBACK_URL: callbackUrl,
          FANOUT_CONCURRENCY: '32',
          HISTORY_SIZE: '50',
          LEADERBOARD_SIZE: '10',
          RATE_LIMIT_PER_SECOND: '50',
          RATE_LIMIT_BURST: '100',
          MAX_SUBSCRIPTIONS_PER_CONNECTION: '100',
          RATE_LIMIT_CLOSE_AFTER: '20',
          AUTH_ENABLED: 'true',
          PUBLIC_CHANNELS: '',
          MAX_CONNECTIONS_PER_USER: '10',
          POWERTOOLS_SERVICE_NAME: 'realtime-websocket-api',
          METRICS_NAMESPACE: 'RealtimeApi',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        });
      }
    });

    it('timeout: fan-out routes (join/leave included) get 10 seconds, the others 5', () => {
      const timeouts = Object.fromEntries(
        Object.entries(realtime.functions).map(([name, fn]) => [
          name,
          template.toJSON().Resources[logicalIdOf(fn)].Properties.Timeout,
        ]),
      );
      expect(timeouts).toEqual({
        connect: 5,
        disconnect: 10,
        default: 5,
        sendmessage: 10,
        subscribe: 10,
        unsubscribe: 10,
        publish: 10,
        ping: 5,
        history: 5,
        score: 10,
        top: 5,
        presence: 5,
        sendtouser: 10,
      });
    });

    it('logGroup: each function logs to its own log group kept for a month and retained', () => {
      const logGroupIds = new Set<string>();
      for (const fn of Object.values(realtime.functions)) {
        const logGroupId = String(
          template.toJSON().Resources[logicalIdOf(fn)].Properties.LoggingConfig.LogGroup.Ref,
        );
        logGroupIds.add(logGroupId);
        expect(template.toJSON().Resources[logGroupId]).toMatchObject({
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30 },
          DeletionPolicy: 'Retain',
        });
      }
      expect(logGroupIds.size).toBe(ROUTE_HANDLERS.length);
    });
  });

  describe('outputs', () => {
    it('outputs: WebSocketUrl is the wss:// URL of the stage', () => {
      template.hasOutput('WebSocketUrl', {
        Value: {
          'Fn::Join': [
            '',
            [
              'wss://',
              { Ref: apiId },
              '.execute-api.',
              { Ref: 'AWS::Region' },
              '.',
              { Ref: 'AWS::URLSuffix' },
              '/prod',
            ],
          ],
        },
      });
    });

    it('outputs: ManagementUrl is the https:// callback URL of the stage', () => {
      template.hasOutput('ManagementUrl', {
        Value: callbackUrl,
      });
    });

    it('outputs: TableName is the name of the table', () => {
      template.hasOutput('TableName', { Value: { Ref: tableId } });
    });
  });
});
