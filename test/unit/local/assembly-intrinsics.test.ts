// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings use ${…} on purpose
import { describe, expect, it } from 'vitest';
import { localApiId } from '../../../local/assembly/api-id.js';
import { ResolveError } from '../../../local/assembly/errors.js';
import { type ResolveContext, resolveEnvironment, resolveValue } from '../../../local/assembly/intrinsics.js';
import { toLocalUrls } from '../../../local/assembly/local-urls.js';
import type { FunctionModel, StackModel, TemplateValue } from '../../../local/model.js';

const API_ID = localApiId('Chat', 'WsApi');

const fn: FunctionModel = {
  logicalId: 'OnMessageFn',
  functionName: 'Chat-OnMessageFn',
  codeDir: '/nowhere',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 3,
  memoryMB: 128,
  environment: {},
};

const stack: StackModel = {
  stackName: 'Chat',
  apis: [
    {
      logicalId: 'WsApi',
      apiId: API_ID,
      name: 'chat',
      routeSelectionExpression: '$request.body.action',
      stageName: 'prod',
      routes: [],
    },
  ],
  functions: new Map([[fn.logicalId, fn]]),
  tables: [
    {
      logicalId: 'Connections',
      tableName: 'Chat-Connections',
      keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      globalSecondaryIndexes: [],
      localSecondaryIndexes: [],
    },
  ],
  resources: {
    Connections: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Named: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'literal-name' } },
    WsApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } },
    HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
    WsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'WsApi' }, StageName: 'prod' } },
    OnMessageFn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
    Orders: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    AuthSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } },
    NamedSecret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'signing']] } },
    },
  },
  parameters: {
    Greeting: { Type: 'String', Default: 'hi' },
    Colours: { Type: 'CommaDelimitedList', Default: 'red,green' },
    Required: { Type: 'String' },
    BootstrapVersion: {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    },
  },
};

const ctx: ResolveContext = { stack, region: 'eu-west-1', apiPorts: new Map([[API_ID, 3001]]) };
const resolve = (value: TemplateValue): string => resolveValue(value, ctx);

/** What CDK's `stage.callbackUrl` synthesizes to. */
const callbackUrl: TemplateValue = {
  'Fn::Join': [
    '',
    [
      'https://',
      { Ref: 'WsApi' },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/prod',
    ],
  ],
};

describe('resolveValue', () => {
  describe('literals', () => {
    it('returns strings as they are and stringifies numbers and booleans', () => {
      expect([resolve('x'), resolve(42), resolve(true)]).toEqual(['x', '42', 'true']);
    });

    it('fails on an object that is not an intrinsic function', () => {
      expect(() => resolve({ a: 'b', c: 'd' })).toThrow(ResolveError);
    });
  });

  describe('Ref', () => {
    it('resolves the pseudo parameters to local values', () => {
      expect(resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
      expect(resolve({ Ref: 'AWS::AccountId' })).toBe('000000000000');
      expect(resolve({ Ref: 'AWS::Partition' })).toBe('aws');
      expect(resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
      expect(resolve({ Ref: 'AWS::StackName' })).toBe('Chat');
      expect(resolve({ Ref: 'AWS::StackId' })).toMatch(
        /^arn:aws:cloudformation:eu-west-1:000000000000:stack\/Chat\//,
      );
    });

    it('uses the account id of the context when it has one', () => {
      expect(resolveValue({ Ref: 'AWS::AccountId' }, { ...ctx, accountId: '123456789012' })).toBe(
        '123456789012',
      );
    });

    it('fails with the name of an unknown pseudo parameter', () => {
      expect(() => resolve({ Ref: 'AWS::Moon' })).toThrow('Unknown pseudo parameter AWS::Moon');
    });

    it('resolves a table to its table name, generated or literal', () => {
      expect(resolve({ Ref: 'Connections' })).toBe('Chat-Connections');
      expect(resolve({ Ref: 'Named' })).toBe('literal-name');
    });

    it('resolves a WebSocket API to its local apiId and a stage to its stage name', () => {
      expect(resolve({ Ref: 'WsApi' })).toBe(API_ID);
      expect(resolve({ Ref: 'WsStage' })).toBe('prod');
    });

    it('resolves a function to its function name and other resources to their logical id', () => {
      expect(resolve({ Ref: 'OnMessageFn' })).toBe('Chat-OnMessageFn');
      expect(resolve({ Ref: 'Topic' })).toBe('Topic');
    });

    it('resolves a queue to its URL on the services endpoint, or to its AWS URL without one', () => {
      const local = { ...ctx, servicesEndpoint: 'http://127.0.0.1:4566' };
      expect(resolveValue({ Ref: 'Jobs' }, local)).toBe('http://127.0.0.1:4566/000000000000/jobs');
      expect(resolveValue({ Ref: 'Queue' }, local)).toBe('http://127.0.0.1:4566/000000000000/Chat-Queue');
      expect(resolve({ Ref: 'Orders' })).toBe(
        'https://sqs.eu-west-1.amazonaws.com/000000000000/Chat-Orders.fifo',
      );
    });

    it('resolves a secret to a realistic ARN, stable across calls, with its name or a generated one', () => {
      const arn = resolve({ Ref: 'AuthSecret' });
      expect(arn).toMatch(
        /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:AuthSecret-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$/,
      );
      expect(resolve({ Ref: 'AuthSecret' })).toBe(arn);
      expect(resolve({ Ref: 'NamedSecret' })).toMatch(
        /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:Chat-signing-[A-Za-z0-9]{6}$/,
      );
      expect(resolve({ 'Fn::GetAtt': ['AuthSecret', 'Id'] })).toBe(arn);
    });

    it('resolves a parameter to its default', () => {
      expect(resolve({ Ref: 'Greeting' })).toBe('hi');
      expect(resolve({ 'Fn::Join': ['+', { Ref: 'Colours' }] })).toBe('red+green');
    });

    it('fails on a parameter without default and on an SSM parameter', () => {
      expect(() => resolve({ Ref: 'Required' })).toThrow('Parameter Required has no Default');
      expect(() => resolve({ Ref: 'BootstrapVersion' })).toThrow(/read from SSM/);
    });

    it('fails with the logical id of an unknown resource', () => {
      expect(() => resolve({ Ref: 'Ghost' })).toThrow(
        'Ref to Ghost: no such resource or parameter in stack Chat',
      );
    });
  });

  describe('Fn::GetAtt', () => {
    it('gives a table a local ARN and a stream ARN', () => {
      expect(resolve({ 'Fn::GetAtt': ['Connections', 'Arn'] })).toBe(
        'arn:aws:dynamodb:eu-west-1:000000000000:table/Chat-Connections',
      );
      expect(resolve({ 'Fn::GetAtt': ['Connections', 'StreamArn'] })).toMatch(
        /^arn:aws:dynamodb:eu-west-1:000000000000:table\/Chat-Connections\/stream\/.+/,
      );
    });

    it('gives a function its ARN, in the list and the dotted form', () => {
      const arn = 'arn:aws:lambda:eu-west-1:000000000000:function:Chat-OnMessageFn';
      expect(resolve({ 'Fn::GetAtt': ['OnMessageFn', 'Arn'] })).toBe(arn);
      expect(resolve({ 'Fn::GetAtt': 'OnMessageFn.Arn' })).toBe(arn);
    });

    it('gives a WebSocket API its local ws URL as ApiEndpoint', () => {
      expect(resolve({ 'Fn::GetAtt': ['WsApi', 'ApiEndpoint'] })).toBe('ws://127.0.0.1:3001');
      expect(resolve({ 'Fn::GetAtt': ['WsApi', 'ApiId'] })).toBe(API_ID);
    });

    it('leaves the endpoint of an API without a local port in its AWS form', () => {
      expect(resolve({ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] })).toBe(
        `https://${localApiId('Chat', 'HttpApi')}.execute-api.eu-west-1.amazonaws.com`,
      );
    });

    it('gives a queue its ARN, name and URL', () => {
      const local = { ...ctx, servicesEndpoint: 'http://127.0.0.1:4566/' };
      expect(resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe(
        'arn:aws:sqs:eu-west-1:000000000000:Chat-Queue',
      );
      expect(resolve({ 'Fn::GetAtt': ['Jobs', 'QueueName'] })).toBe('jobs');
      expect(resolveValue({ 'Fn::GetAtt': ['Jobs', 'QueueUrl'] }, local)).toBe(
        'http://127.0.0.1:4566/000000000000/jobs',
      );
    });

    it('gives other resources a plausible ARN and rejects their other attributes', () => {
      expect(resolve({ 'Fn::GetAtt': ['Topic', 'Arn'] })).toBe('arn:aws:sns:eu-west-1:000000000000:Topic');
      expect(() => resolve({ 'Fn::GetAtt': ['Topic', 'TopicName'] })).toThrow(
        /Topic\.TopicName .* not supported/,
      );
      expect(() => resolve({ 'Fn::GetAtt': ['Ghost', 'Arn'] })).toThrow(/no such resource/);
    });
  });

  describe('Fn::Join', () => {
    it('joins resolved parts with the delimiter', () => {
      expect(resolve({ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }, 3]] })).toBe('a:eu-west-1:3');
    });

    it('fails when its arguments are malformed', () => {
      expect(() => resolve({ 'Fn::Join': ['only-delimiter'] })).toThrow(/Fn::Join needs/);
    });
  });

  describe('Fn::Sub', () => {
    it('substitutes pseudo parameters, Refs and GetAtts in the string form', () => {
      expect(resolve({ 'Fn::Sub': '${AWS::Region}/${Connections}/${OnMessageFn.Arn}' })).toBe(
        'eu-west-1/Chat-Connections/arn:aws:lambda:eu-west-1:000000000000:function:Chat-OnMessageFn',
      );
    });

    it('substitutes the variables of the list form before references', () => {
      expect(resolve({ 'Fn::Sub': ['${Who}@${AWS::Region}', { Who: { Ref: 'AWS::StackName' } }] })).toBe(
        'Chat@eu-west-1',
      );
    });

    it('keeps ${!Literal} as a literal ${Literal}', () => {
      expect(resolve({ 'Fn::Sub': 'cost: ${!Price}' })).toBe('cost: ${Price}');
    });
  });

  describe('Fn::Select and Fn::Split', () => {
    it('selects an item of a literal list or of a split string', () => {
      expect(resolve({ 'Fn::Select': [1, ['a', 'b', 'c']] })).toBe('b');
      expect(resolve({ 'Fn::Select': ['2', { 'Fn::Split': ['/', 'x/y/z'] }] })).toBe('z');
    });

    it('fails on an index out of range', () => {
      expect(() => resolve({ 'Fn::Select': [5, ['a']] })).toThrow(/out of range/);
    });

    it('refuses a list where a string is needed', () => {
      expect(() => resolve({ 'Fn::Split': [',', 'a,b'] })).toThrow(/is a list where a string is needed/);
    });
  });

  describe('unsupported intrinsics', () => {
    it('fails clearly on Fn::ImportValue', () => {
      expect(() => resolve({ 'Fn::ImportValue': 'SharedTableName' })).toThrow(
        /Fn::ImportValue "SharedTableName" is not supported offline/,
      );
    });

    it('fails with the name of any other intrinsic', () => {
      expect(() => resolve({ 'Fn::If': ['Cond', 'a', 'b'] })).toThrow(
        'Intrinsic function Fn::If is not supported offline',
      );
    });
  });

  describe('callback URL rewrite', () => {
    it('turns the stage callback URL CDK synthesizes into the local http URL', () => {
      expect(resolve(callbackUrl)).toBe('http://127.0.0.1:3001/prod');
    });

    it('turns a wss:// stage URL into the local ws:// URL', () => {
      const wss = { 'Fn::Sub': 'wss://${WsApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod' };
      expect(resolve(wss)).toBe('ws://127.0.0.1:3001/prod');
    });

    it('uses the host of the context', () => {
      expect(resolveValue(callbackUrl, { ...ctx, host: 'localhost' })).toBe('http://localhost:3001/prod');
    });

    it('accepts the ports as a plain record', () => {
      expect(resolveValue(callbackUrl, { ...ctx, apiPorts: { [API_ID]: 4100 } })).toBe(
        'http://127.0.0.1:4100/prod',
      );
    });
  });
});

describe('toLocalUrls', () => {
  it('rewrites every URL of a known API inside a longer value and keeps the path', () => {
    const value = `a=https://${API_ID}.execute-api.us-east-1.amazonaws.com/prod/@connections b=wss://${API_ID}.execute-api.us-east-1.amazonaws.com/prod`;
    expect(toLocalUrls(value, new Map([[API_ID, 9]]))).toBe(
      'a=http://127.0.0.1:9/prod/@connections b=ws://127.0.0.1:9/prod',
    );
  });

  it('leaves URLs of APIs without a local port alone', () => {
    const url = 'https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/prod';
    expect(toLocalUrls(url, new Map([[API_ID, 9]]))).toBe(url);
  });
});

describe('resolveEnvironment', () => {
  it('resolves every variable of a function, the callback URL included', () => {
    const withEnv: FunctionModel = {
      ...fn,
      environment: {
        TABLE_NAME: { Ref: 'Connections' },
        CALLBACK_URL: callbackUrl,
        MODE: 'fast',
        RETRIES: 3,
      },
    };
    expect(
      resolveEnvironment(withEnv, stack, { region: 'eu-west-1', apiPorts: new Map([[API_ID, 3001]]) }),
    ).toEqual({
      TABLE_NAME: 'Chat-Connections',
      CALLBACK_URL: 'http://127.0.0.1:3001/prod',
      MODE: 'fast',
      RETRIES: '3',
    });
  });

  it('names the variable and the function when one cannot be resolved', () => {
    const broken: FunctionModel = { ...fn, environment: { SHARED: { 'Fn::ImportValue': 'Other-Table' } } };
    expect(() => resolveEnvironment(broken, stack, { region: 'eu-west-1', apiPorts: {} })).toThrow(
      /Cannot resolve environment variable SHARED of OnMessageFn: Fn::ImportValue/,
    );
  });
});

describe('localApiId', () => {
  it('is 10 lowercase alphanumerics, stable, and distinct per stack and logical id', () => {
    expect(localApiId('Chat', 'WsApi')).toMatch(/^[a-z0-9]{10}$/);
    expect(localApiId('Chat', 'WsApi')).toBe(API_ID);
    expect(localApiId('Chat', 'Other')).not.toBe(API_ID);
    expect(localApiId('Chat2', 'WsApi')).not.toBe(API_ID);
  });
});
