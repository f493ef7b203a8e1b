import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { RealtimeStack } from '../../lib/realtime-stack.js';
import { findings } from './nag-findings.js';
import {
  actionsOf,
  allStatements,
  logicalIdOf,
  statementsOfRole,
  synthRealtimeStack,
  testApp,
} from './synth.js';

// GIVEN the stack with default props (auth on, hmac), with auth off, and in jwks mode
const on = synthRealtimeStack();
const off = synthRealtimeStack({ auth: false });
const jwks = synthRealtimeStack({
  auth: {
    mode: 'jwks',
    jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ex/.well-known/jwks.json',
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ex',
    audience: 'app-client-id',
  },
  publicChannels: ['news', 'public-*'],
});

const routeOf = (template: Template, routeKey: string) => {
  const routes = Object.values(
    template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
  );
  expect(routes).toHaveLength(1);
  return routes[0] as { Properties: Record<string, unknown> };
};

const environmentOf = (template: Template, functionLogicalId: string): Record<string, unknown> =>
  template.toJSON().Resources[functionLogicalId].Properties.Environment.Variables;

const secretStatements = (template: Template) =>
  allStatements(template).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
  );

describe('auth (default: hmac)', () => {
  const auth = on.stack.realtime.auth;
  if (!auth?.secret) throw new Error('the default stack has no auth secret');
  const secretId = logicalIdOf(auth.secret);
  const authorizerFunctionId = logicalIdOf(auth.function);

  it('auth: attaches a REQUEST authorizer on the authorizer function to $connect, with no identity source', () => {
    const authorizers = on.template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    expect(Object.keys(authorizers)).toHaveLength(1);
    on.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: [],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [authorizerFunctionId, 'Arn'] }])],
      }),
    });
    expect(routeOf(on.template, '$connect').Properties).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
  });

  it('auth: leaves every other route without an authorizer (API Gateway authorizes only $connect)', () => {
    for (const routeKey of ['$disconnect', '$default', 'publish', 'subscribe', 'sendmessage']) {
      expect(routeOf(on.template, routeKey).Properties.AuthorizerId).toBeUndefined();
    }
  });

  it('auth: lets API Gateway invoke the authorizer function', () => {
    on.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [authorizerFunctionId, 'Arn'] },
    });
  });

  it('auth: generates a 64-character key in Secrets Manager; the template holds no value', () => {
    on.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const secret = on.template.toJSON().Resources[secretId];
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('auth: gives the authorizer the secret ARN only, and GetSecretValue on that secret only', () => {
    expect(environmentOf(on.template, authorizerFunctionId)).toMatchObject({
      AUTH_MODE: 'hmac',
      AUTH_SECRET_ARN: { Ref: secretId },
    });
    const roleId = logicalIdOf(auth.function.role as NonNullable<typeof auth.function.role>);
    const statements = statementsOfRole(on.template, roleId).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } },
    ]);
    // Nobody else may read it.
    expect(secretStatements(on.template)).toHaveLength(1);
  });

  it('auth: tells every route function that grants are checked, and which channels are public', () => {
    const functions = Object.values(on.stack.realtime.functions);
    expect(functions.length).toBeGreaterThan(5);
    for (const fn of functions) {
      expect(environmentOf(on.template, logicalIdOf(fn))).toMatchObject({
        AUTH_ENABLED: 'true',
        PUBLIC_CHANNELS: '',
      });
    }
  });

  it('auth: outputs AuthSecretArn', () => {
    on.template.hasOutput('AuthSecretArn', { Value: { Ref: secretId } });
  });
});

describe('auth: false', () => {
  it('auth: false creates no authorizer, no secret and no output, and routes skip the grant checks', () => {
    off.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    off.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(off.template.findOutputs('AuthSecretArn')).toEqual({});
    expect(routeOf(off.template, '$connect').Properties.AuthorizationType).toBe('NONE');
    const connect = off.stack.realtime.functions.connect;
    if (!connect) throw new Error('no connect function');
    expect(environmentOf(off.template, logicalIdOf(connect))).toMatchObject({ AUTH_ENABLED: 'false' });
  });

  it('auth: false keeps cdk-nag clean by acknowledging APIG4 on $connect, which auth on does not need', {
    timeout: 30_000,
  }, () => {
    expect(findings(off.stack)).toEqual([]);
    const acknowledged = (stack: RealtimeStack) =>
      stack.realtime.routes.$connect?.node.metadata.filter(
        (entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      ) ?? [];
    expect(JSON.stringify(acknowledged(off.stack))).toContain('AwsSolutions-APIG4');
    expect(JSON.stringify(acknowledged(on.stack))).not.toContain('AwsSolutions-APIG4');
  });
});

describe('auth: jwks', () => {
  it('auth: jwks configures the issuer and creates no secret and no Secrets Manager grant', () => {
    const fn = jwks.stack.realtime.auth?.function;
    if (!fn) throw new Error('no authorizer function');
    expect(environmentOf(jwks.template, logicalIdOf(fn))).toMatchObject({
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ex/.well-known/jwks.json',
      AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ex',
      AUTH_AUDIENCE: 'app-client-id',
    });
    jwks.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(secretStatements(jwks.template)).toEqual([]);
  });

  it('publicChannels: reaches every route function as PUBLIC_CHANNELS', () => {
    const publish = jwks.stack.realtime.functions.publish;
    if (!publish) throw new Error('no publish function');
    expect(environmentOf(jwks.template, logicalIdOf(publish))).toMatchObject({
      PUBLIC_CHANNELS: 'news,public-*',
    });
  });
});

describe('auth: a given secret', () => {
  it('auth: { secret } uses that secret, creates none and grants GetSecretValue on it', () => {
    const app = testApp();
    const shared = new Stack(app, 'Shared');
    const secret = new Secret(shared, 'Key');
    const stack = new RealtimeStack(app, 'WithSecret', { auth: { mode: 'hmac', secret } });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(stack.realtime.auth?.createdSecret).toBeUndefined();
    expect(secretStatements(template)).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue' }),
    ]);
  });
});

describe('auth props validation', () => {
  it.each([
    [
      { auth: { mode: 'jwks', jwksUrl: 'http://issuer.example/jwks', issuer: 'i', audience: 'a' } },
      /auth.jwksUrl must be an https/,
    ],
    [
      { auth: { mode: 'jwks', jwksUrl: 'https://issuer.example/jwks', issuer: ' ', audience: 'a' } },
      /auth.issuer must not be empty/,
    ],
    [{ publicChannels: ['ok', 'not ok'] }, /publicChannels: .*got "not ok"/],
  ] as const)('fails on %j', (props, message) => {
    expect(() => new RealtimeStack(testApp(), 'Bad', props as never)).toThrow(message);
  });
});
