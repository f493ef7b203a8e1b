import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { RealtimeApi } from '../../lib/realtime-api.js';
import {
  REALTIME_API_DEFAULTS,
  type RealtimeApiProps,
  resolveRealtimeApiProps,
} from '../../lib/realtime-api-props.js';
import { logicalIdOf, synthRealtimeStack, testApp } from './synth.js';

describe('RealtimeApi props', () => {
  describe('overrides', () => {
    // GIVEN every prop set away from its default (synthesized once)
    const { stack, template } = synthRealtimeStack({
      stageName: 'dev',
      throttle: { rateLimit: 50, burstLimit: 100 },
      routeThrottles: { publish: { rateLimit: 20 }, sendmessage: false, history: { rateLimit: 5 } },
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: RetentionDays.ONE_WEEK,
      fanOutConcurrency: 8,
      memorySize: 512,
      timeout: Duration.seconds(3),
      fanOutTimeout: Duration.seconds(20),
      serviceName: 'scores',
      cloudWatchRole: true,
      historySize: 20,
      leaderboardSize: 5,
      maxConnectionsPerUser: 3,
    });
    const realtime = stack.realtime;
    const functionProperties = Object.values(realtime.functions).map(
      (fn) => template.toJSON().Resources[logicalIdOf(fn)].Properties,
    );

    it('stageName: names the stage and ends every URL and the ManageConnections grant', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'dev' });
      template.hasOutput('WebSocketUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/dev'])] } });
      template.hasOutput('ManagementUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/dev'])] } });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'execute-api:ManageConnections',
              Resource: { 'Fn::Join': ['', Match.arrayWith(['/dev/*/@connections/*'])] },
            }),
          ]),
        },
      });
      for (const properties of functionProperties) {
        expect(properties.Environment.Variables.CALLBACK_URL['Fn::Join'][1].at(-1)).toBe('/dev');
      }
    });

    it('throttle: sets the default route throttling of the stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
    });

    it('routeThrottles: merges over the defaults per field, drops a route given false, fills from the stage', () => {
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      expect(stage?.Properties.RouteSettings).toEqual({
        // publish keeps its default burst; history has no default, so its burst is the stage's.
        publish: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 200 },
        history: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 100 },
        $connect: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
        score: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      });
    });

    it('removalPolicy: destroy deletes the table and every log group with the stack', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      // The stage's access logs and one per function (the twelve routes' included).
      const functionCount = Object.keys(template.findResources('AWS::Lambda::Function')).length;
      expect(functionCount).toBeGreaterThanOrEqual(12);
      expect(logGroups).toHaveLength(functionCount + 1);
      for (const logGroup of logGroups) expect(logGroup.DeletionPolicy).toBe('Delete');
    });

    it('logRetention: applies to the access logs and every function log group', () => {
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(7);
    });

    it('fanOutConcurrency, serviceName, historySize, leaderboardSize: reach every function as environment variables', () => {
      for (const properties of functionProperties) {
        expect(properties.Environment.Variables).toMatchObject({
          FANOUT_CONCURRENCY: '8',
          POWERTOOLS_SERVICE_NAME: 'scores',
          HISTORY_SIZE: '20',
          LEADERBOARD_SIZE: '5',
        });
      }
    });

    it('maxConnectionsPerUser: reaches the $connect function as MAX_CONNECTIONS_PER_USER', () => {
      const connect = realtime.functions.connect;
      if (connect === undefined) throw new Error('no connect function');
      expect(
        template.toJSON().Resources[logicalIdOf(connect)].Properties.Environment.Variables
          .MAX_CONNECTIONS_PER_USER,
      ).toBe('3');
    });

    it('memorySize, timeout, fanOutTimeout: size every function', () => {
      const timeouts = Object.fromEntries(
        Object.entries(realtime.functions).map(([name, fn]) => [
          name,
          template.toJSON().Resources[logicalIdOf(fn)].Properties.Timeout,
        ]),
      );
      expect(timeouts).toMatchObject({
        publish: 20,
        sendmessage: 20,
        subscribe: 20,
        unsubscribe: 20,
        score: 20,
        connect: 3,
        ping: 3,
        history: 3,
        top: 3,
        presence: 3,
      });
      for (const properties of functionProperties) expect(properties.MemorySize).toBe(512);
    });

    it('cloudWatchRole: true registers a logging role for API Gateway before the stage is created', () => {
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
      // The functions' roles and API Gateway's logging role.
      template.resourceCountIs(
        'AWS::IAM::Role',
        Object.keys(template.findResources('AWS::Lambda::Function')).length + 1,
      );
      expect(realtime.apiGatewayAccount).toBeDefined();
      const accountId = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
      template.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: Match.arrayWith([accountId]) });
      template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
              ],
            ],
          },
        ],
      });
    });
  });

  describe('defaults', () => {
    it('resolves to the documented defaults when no prop is given', () => {
      expect(resolveRealtimeApiProps()).toEqual(REALTIME_API_DEFAULTS);
      expect(REALTIME_API_DEFAULTS).toMatchObject({
        stageName: 'prod',
        throttle: { rateLimit: 500, burstLimit: 1000 },
        removalPolicy: RemovalPolicy.RETAIN,
        logRetention: RetentionDays.ONE_MONTH,
        fanOutConcurrency: 32,
        memorySize: 256,
        cloudWatchRole: false,
        historySize: 50,
        leaderboardSize: 10,
        maxConnectionsPerUser: 10,
      });
    });

    it('keeps the default when a prop is explicitly undefined', () => {
      expect(resolveRealtimeApiProps({ stageName: undefined, memorySize: 1024 })).toMatchObject({
        stageName: 'prod',
        memorySize: 1024,
      });
    });
  });

  describe('validation', () => {
    const invalid: ReadonlyArray<readonly [string, RealtimeApiProps, RegExp]> = [
      ['the stage name has a space', { stageName: 'my stage' }, /stageName must match .* got "my stage"/],
      ['the stage name is empty', { stageName: '' }, /stageName must match .* got ""/],
      [
        'the stage name is longer than 128 characters',
        { stageName: 'a'.repeat(129) },
        /stageName must match/,
      ],
      [
        'fanOutConcurrency is 0',
        { fanOutConcurrency: 0 },
        /fanOutConcurrency must be a positive integer, got 0$/,
      ],
      ['fanOutConcurrency is negative', { fanOutConcurrency: -4 }, /fanOutConcurrency .* got -4$/],
      ['fanOutConcurrency is not an integer', { fanOutConcurrency: 2.5 }, /fanOutConcurrency .* got 2.5$/],
      [
        'memorySize is below 128 MB',
        { memorySize: 64 },
        /memorySize must be an integer from 128 to 10240 MB, got 64$/,
      ],
      ['memorySize is above 10240 MB', { memorySize: 20_000 }, /memorySize .* got 20000$/],
      [
        'timeout exceeds the 29 s integration limit',
        { timeout: Duration.seconds(30) },
        /timeout must be .* got 30 seconds$/,
      ],
      ['timeout is under a second', { timeout: Duration.millis(500) }, /timeout must be .* got 500 millis$/],
      [
        'fanOutTimeout exceeds 29 s',
        { fanOutTimeout: Duration.minutes(1) },
        /fanOutTimeout must be .* got 1 minute$/,
      ],
      [
        'throttle.rateLimit is 0',
        { throttle: { rateLimit: 0 } },
        /throttle.rateLimit must be a positive number .* got 0$/,
      ],
      [
        'throttle.burstLimit is fractional',
        { throttle: { burstLimit: 1.5 } },
        /throttle.burstLimit .* got 1.5$/,
      ],
      [
        'a route throttle has a rate of 0',
        { routeThrottles: { publish: { rateLimit: 0 } } },
        /routeThrottles.publish.rateLimit must be a positive number .* got 0$/,
      ],
      [
        'a route throttle has a fractional burst',
        { routeThrottles: { ping: { burstLimit: 2.5 } } },
        /routeThrottles.ping.burstLimit must be a positive integer, got 2.5$/,
      ],
      [
        'a route throttle is given for $disconnect',
        { routeThrottles: { $disconnect: { rateLimit: 1 } } as RealtimeApiProps['routeThrottles'] },
        /routeThrottles: each key must be one of .*\$connect.* got "\$disconnect"$/,
      ],
      [
        'a route throttle is given for a route the API does not have',
        { routeThrottles: { chat: { rateLimit: 1 } } as RealtimeApiProps['routeThrottles'] },
        /routeThrottles: each key .* got "chat"$/,
      ],
      ['serviceName is blank', { serviceName: '  ' }, /serviceName must not be empty, got " {2}"$/],
      [
        'metricsNamespace is AWS’s own',
        { metricsNamespace: 'AWS/Lambda' },
        /metricsNamespace must match .*, got "AWS\/Lambda"$/,
      ],
      ['metricsNamespace is empty', { metricsNamespace: '' }, /metricsNamespace must match .*, got ""$/],
      [
        'observability.alarmEmail is no address',
        { observability: { alarmEmail: 'ops' } },
        /observability.alarmEmail must be an e-mail address, got "ops"$/,
      ],
      [
        'observability has both alarmEmail and alarmTopic',
        {
          observability: {
            alarmEmail: 'ops@example.com',
            alarmTopic: Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:us-east-1:123456789012:ops'),
          },
        },
        /observability takes alarmEmail or alarmTopic, not both/,
      ],
      [
        'historySize is negative',
        { historySize: -1 },
        /historySize must be an integer from 0 to 100, got -1$/,
      ],
      [
        'historySize is above 100',
        { historySize: 101 },
        /historySize must be an integer from 0 to 100, got 101$/,
      ],
      ['historySize is not an integer', { historySize: 2.5 }, /historySize .* got 2.5$/],
      [
        'leaderboardSize is 0',
        { leaderboardSize: 0 },
        /leaderboardSize must be an integer from 1 to 100, got 0$/,
      ],
      ['leaderboardSize is above 100', { leaderboardSize: 101 }, /leaderboardSize .* got 101$/],
      [
        'maxConnectionsPerUser is negative',
        { maxConnectionsPerUser: -1 },
        /maxConnectionsPerUser must be an integer from 0 to 10000, got -1$/,
      ],
      [
        'maxConnectionsPerUser is not an integer',
        { maxConnectionsPerUser: 1.5 },
        /maxConnectionsPerUser .* got 1.5$/,
      ],
    ];

    it.each([
      { historySize: 0 },
      { historySize: 100 },
      { leaderboardSize: 1 },
      { leaderboardSize: 100 },
      { maxConnectionsPerUser: 0 },
      { maxConnectionsPerUser: 10_000 },
    ])('accepts the bound %j', (props) => {
      expect(resolveRealtimeApiProps(props)).toMatchObject(props);
    });

    it.each(invalid)('fails when %s', (_, props, message) => {
      expect(() => synthRealtimeStack(props)).toThrow(message);
    });

    it('still checks the literal props when others are tokens', () => {
      const stack = new Stack(testApp(), 'MixedTokens');
      const stage = new CfnParameter(stack, 'Stage', { type: 'String' });

      expect(() => resolveRealtimeApiProps({ stageName: stage.valueAsString, fanOutConcurrency: 0 })).toThrow(
        /fanOutConcurrency must be a positive integer, got 0$/,
      );
    });

    it('fails with a RealtimeApiPropsError that names the construct', () => {
      expect(() => resolveRealtimeApiProps({ fanOutConcurrency: 0 })).toThrow(
        expect.objectContaining({
          name: 'RealtimeApiPropsError',
          message: expect.stringMatching(/^RealtimeApi: /),
        }),
      );
    });
  });
});

describe('RealtimeApi props given as tokens', () => {
  // GIVEN every checked prop as a CloudFormation parameter, whose value is only known at deploy time
  const stack = new Stack(testApp(), 'Tokens');
  const text = (id: string) => new CfnParameter(stack, id, { type: 'String' }).valueAsString;
  const numeric = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
  const props: RealtimeApiProps = {
    stageName: text('StageName'),
    throttle: { rateLimit: numeric('RateLimit'), burstLimit: numeric('BurstLimit') },
    routeThrottles: { publish: { rateLimit: numeric('PublishRateLimit') } },
    fanOutConcurrency: numeric('FanOutConcurrency'),
    memorySize: numeric('MemorySize'),
    timeout: Duration.seconds(numeric('TimeoutSeconds')),
    fanOutTimeout: Duration.seconds(numeric('FanOutTimeoutSeconds')),
    serviceName: text('ServiceName'),
    historySize: numeric('HistorySize'),
    leaderboardSize: numeric('LeaderboardSize'),
  };

  it('skips the synth-time checks of values only CloudFormation knows', () => {
    expect(() => resolveRealtimeApiProps(props)).not.toThrow();
  });

  it('builds the API with the parameters referenced where the values go', () => {
    // WHEN
    const realtime = new RealtimeApi(stack, 'RealtimeApi', props);
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: { Ref: 'StageName' },
      DefaultRouteSettings: {
        ThrottlingRateLimit: { Ref: 'RateLimit' },
        ThrottlingBurstLimit: { Ref: 'BurstLimit' },
      },
      RouteSettings: Match.objectLike({
        publish: { ThrottlingRateLimit: { Ref: 'PublishRateLimit' }, ThrottlingBurstLimit: 200 },
      }),
    });
    const publishFunction = realtime.functions.publish;
    if (publishFunction === undefined) throw new Error('the API has no publish function');
    const publish = template.toJSON().Resources[logicalIdOf(publishFunction)].Properties;
    expect(publish.MemorySize).toEqual({ Ref: 'MemorySize' });
    expect(publish.Timeout).toEqual({ Ref: 'FanOutTimeoutSeconds' });
    expect(publish.Environment.Variables).toMatchObject({
      FANOUT_CONCURRENCY: { Ref: 'FanOutConcurrency' },
      POWERTOOLS_SERVICE_NAME: { Ref: 'ServiceName' },
      HISTORY_SIZE: { Ref: 'HistorySize' },
      LEADERBOARD_SIZE: { Ref: 'LeaderboardSize' },
    });
  });
});
