import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devTokenFor, hmacSecretOf } from '../../../local/auth/dev-token.js';
import type { FunctionModel, StackModel, TemplateValue, WebSocketApiModel } from '../../../local/model.js';
import { loadSecrets, type SecretVault } from '../../../local/secrets/vault.js';

const authorizerFn = (environment: Record<string, TemplateValue>): FunctionModel => ({
  logicalId: 'AuthorizerFn',
  functionName: 'Chat-AuthorizerFn',
  codeDir: '/nowhere',
  handler: 'index.handler',
  runtime: 'nodejs24.x',
  timeoutSeconds: 3,
  memoryMB: 128,
  environment,
});

const api = (withAuthorizer: boolean): WebSocketApiModel => ({
  logicalId: 'WsApi',
  apiId: 'abcdefghij',
  name: 'chat',
  routeSelectionExpression: '$request.body.action',
  stageName: 'prod',
  routes: [
    {
      routeKey: '$connect',
      functionId: 'ConnectFn',
      twoWay: false,
      ...(withAuthorizer && {
        authorizer: { logicalId: 'Auth', name: 'auth', functionId: 'AuthorizerFn', identitySources: [] },
      }),
    },
  ],
});

const stackWith = (environment: Record<string, TemplateValue>): StackModel => ({
  stackName: 'Chat',
  apis: [],
  functions: new Map([['AuthorizerFn', authorizerFn(environment)]]),
  tables: [],
  resources: {
    AuthSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } },
  },
});

const HMAC_ENV = { AUTH_MODE: 'hmac', AUTH_SECRET_ARN: { Ref: 'AuthSecret' } };
const endpoints = { region: 'us-east-1', apiPorts: new Map() };
let stateDir: string;
let vault: SecretVault;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dev-token-'));
  vault = await loadSecrets([stackWith(HMAC_ENV)], { ...endpoints, stateDir });
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

describe('devTokenFor', () => {
  it('signs a 24 h every-grant token with the secret AUTH_SECRET_ARN names, when AUTH_MODE is hmac', async () => {
    const token = await devTokenFor(stackWith(HMAC_ENV), api(true), vault, endpoints);

    const secret = vault.secrets[0]?.secretString ?? '';
    const { payload } = await jwtVerify(token ?? '', new TextEncoder().encode(secret));
    expect(payload).toMatchObject({ sub: 'dev', channels: { '*': ['*'] }, broadcast: true, users: ['*'] });
  });

  it('gives none without an authorizer, with AUTH_MODE jwks, or for a secret it does not emulate', async () => {
    expect(await devTokenFor(stackWith(HMAC_ENV), api(false), vault, endpoints)).toBeUndefined();
    expect(
      hmacSecretOf(stackWith({ ...HMAC_ENV, AUTH_MODE: 'jwks' }), api(true), vault, endpoints),
    ).toBeUndefined();
    expect(
      hmacSecretOf(
        stackWith({
          AUTH_MODE: 'hmac',
          AUTH_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf',
        }),
        api(true),
        vault,
        endpoints,
      ),
    ).toBeUndefined();
    expect(
      hmacSecretOf(
        stackWith({ AUTH_MODE: 'hmac', AUTH_SECRET_ARN: { Ref: 'Nope' } }),
        api(true),
        vault,
        endpoints,
      ),
    ).toBeUndefined();
  });
});
