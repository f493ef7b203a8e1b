import 'aws-sdk-client-mock-vitest/extend';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../../lambdas/adapters/env.js';
import { makeTokenVerifier, verifierOptionsFromEnv } from '../../../lambdas/adapters/jwt-verifier.js';
import type {
  AuthorizerResult,
  makeAuthorizerHandler as MakeAuthorizerHandler,
  WebSocketAuthorizerEvent,
} from '../../../lambdas/handlers/authorizer.js';
import { fakeContext, stubStackEnv } from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';

const NOW = 1_764_150_000_000;
const NOW_S = NOW / 1000;
const SECRET = 'k'.repeat(64);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:realtime-token-AbCdEf';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/$connect';
const sm = mockClient(SecretsManagerClient);
let authorizer: typeof import('../../../lambdas/handlers/authorizer.js');

beforeAll(async () => {
  stubStackEnv();
  vi.stubEnv('AUTH_MODE', 'hmac');
  vi.stubEnv('AUTH_SECRET_ARN', SECRET_ARN);
  authorizer = await import('../../../lambdas/handlers/authorizer.js');
});

useHandlerTestHooks(NOW, sm);

const quietLogger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** A token signed with `secret` (HS256 unless told), valid for a minute unless `claims` says otherwise. */
const hmacToken = (claims: JWTPayload = {}, secret = SECRET, alg = 'HS256') =>
  new SignJWT({ sub: 'alice', exp: NOW_S + 60, ...claims })
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));

const eventWith = (fields: Partial<WebSocketAuthorizerEvent> = {}): WebSocketAuthorizerEvent => ({
  methodArn: METHOD_ARN,
  headers: { Host: 'abc123defg.execute-api.eu-west-1.amazonaws.com' },
  queryStringParameters: {},
  requestContext: { connectionId: 'L0SM9cOFvHcCIhw=' },
  ...fields,
});

const withQueryToken = (token: string) => eventWith({ queryStringParameters: { token } });

const givenSecret = (secret = SECRET) => sm.on(GetSecretValueCommand).resolves({ SecretString: secret });

const effectOf = (result: AuthorizerResult) => result.policyDocument.Statement[0].Effect;

describe('authorizer handler (hmac, the secret from Secrets Manager)', () => {
  it('allows a valid ?token= with the caller as context, on the methodArn', async () => {
    givenSecret();
    const token = await hmacToken({ name: 'Alice', channels: { 'game-*': ['subscribe'] }, broadcast: true });

    const result = await authorizer.handler(withQueryToken(token), fakeContext());

    expect(result).toEqual({
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: {
        userId: 'alice',
        name: 'Alice',
        grants: JSON.stringify({ channels: { 'game-*': ['subscribe'] }, broadcast: true, users: [] }),
      },
    });
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('takes the token from Sec-WebSocket-Protocol (realtime, bearer.<jwt>), any header casing', async () => {
    givenSecret();
    const token = await hmacToken({ sub: 'bob' });

    const result = await authorizer.handler(
      eventWith({ headers: { 'sec-websocket-protocol': `realtime, bearer.${token}` } }),
      fakeContext(),
    );

    expect(effectOf(result)).toBe('Allow');
    expect(result.principalId).toBe('bob');
  });

  it('fetches the secret once per container', async () => {
    // Prepare: an earlier test of this file may already have cached it; a second handler proves the caching.
    givenSecret();
    const handler = authorizer.makeAuthorizerHandler({
      verify: makeTokenVerifier(verifierOptionsFromEnv(() => new SecretsManagerClient({}))),
      logger: quietLogger,
    });
    const token = await hmacToken();

    await handler(withQueryToken(token));
    await handler(withQueryToken(token));
    await handler(withQueryToken(token));

    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it.each([
    ['no token at all', async () => eventWith()],
    ['an empty ?token=', async () => withQueryToken('')],
    [
      'a subprotocol list without a bearer entry',
      async () => eventWith({ headers: { 'Sec-WebSocket-Protocol': 'realtime' } }),
    ],
    ['a malformed token', async () => withQueryToken('not.a.jwt')],
    ['a token signed with another secret', async () => withQueryToken(await hmacToken({}, 'x'.repeat(64)))],
    [
      'an unsigned token (alg none)',
      async () => withQueryToken(new UnsecuredJWT({ sub: 'alice', exp: NOW_S + 60 }).encode()),
    ],
    [
      'HS512, an algorithm outside the allow-list',
      async () => withQueryToken(await hmacToken({}, SECRET, 'HS512')),
    ],
  ])('answers 401 (throws Unauthorized) for %s', async (_case, makeEvent) => {
    givenSecret();

    await expect(authorizer.handler(await makeEvent(), fakeContext())).rejects.toThrow(/^Unauthorized$/);
  });

  it.each([
    ['an expired token (beyond the 5 s tolerance)', { exp: NOW_S - 6 }],
    ['a token not valid yet', { nbf: NOW_S + 60 }],
    ['a token without exp', { exp: undefined }],
    ['a token whose sub is not a user id', { sub: 'alice smith' }],
    ['a token with grants we cannot read', { channels: { lobby: ['delete'] } }],
  ])('answers 403 (a Deny policy) for %s', async (_case, claims) => {
    givenSecret();

    const result = await authorizer.handler(withQueryToken(await hmacToken(claims)), fakeContext());

    expect(effectOf(result)).toBe('Deny');
    expect(result.policyDocument.Statement[0].Resource).toBe(METHOD_ARN);
    expect(result.context).toBeUndefined();
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    givenSecret();

    const result = await authorizer.handler(
      withQueryToken(await hmacToken({ exp: NOW_S - 3 })),
      fakeContext(),
    );

    expect(effectOf(result)).toBe('Allow');
  });
});

describe('authorizer handler when the secret cannot be read', () => {
  const freshHandler = () =>
    authorizer.makeAuthorizerHandler({
      verify: makeTokenVerifier(verifierOptionsFromEnv(() => new SecretsManagerClient({}))),
      logger: quietLogger,
    });

  it('fails with the SDK error (API Gateway answers 500, not 401) and fetches again on the next call', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: SECRET });
    const handler = freshHandler();
    const token = await hmacToken();

    await expect(handler(withQueryToken(token))).rejects.toThrow('Rate exceeded');
    const retried = await handler(withQueryToken(token));

    expect(effectOf(retried)).toBe('Allow');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(quietLogger.error).toHaveBeenCalledWith('token could not be verified', expect.anything());
  });

  it('fails with a ConfigurationError when the secret is shorter than 32 bytes', async () => {
    givenSecret('short');

    await expect(freshHandler()(withQueryToken(await hmacToken({}, 'short')))).rejects.toThrow(
      ConfigurationError,
    );
  });
});

describe('authorizer handler (jwks)', () => {
  const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
  const AUDIENCE = 'client-app';
  let sign: (claims: JWTPayload, key?: CryptoKey) => Promise<string>;
  let handler: ReturnType<typeof MakeAuthorizerHandler>;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    sign = (claims, key = privateKey) =>
      new SignJWT({ sub: 'carol', iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 60, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .sign(key);
    handler = authorizer.makeAuthorizerHandler({
      verify: makeTokenVerifier({
        mode: 'jwks',
        keys: createLocalJWKSet({ keys: [jwk] }),
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
      logger: quietLogger,
    });
  });

  it('allows a token of the issuer for the audience', async () => {
    const result = await handler(withQueryToken(await sign({})));

    expect(effectOf(result)).toBe('Allow');
    expect(result.context?.userId).toBe('carol');
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example' }],
    ['another audience', { aud: 'other-app' }],
  ])('denies (403) a token of %s', async (_case, claims) => {
    expect(effectOf(await handler(withQueryToken(await sign(claims))))).toBe('Deny');
  });

  it('answers 401 for a token signed by a key the issuer does not publish', async () => {
    await expect(handler(withQueryToken(await sign({}, strangerKey)))).rejects.toThrow(/^Unauthorized$/);
  });

  it('answers 401 for an HS256 token (symmetric algorithms are not accepted from a JWKS)', async () => {
    await expect(handler(withQueryToken(await hmacToken({ iss: ISSUER, aud: AUDIENCE })))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });
});

describe('verifierOptionsFromEnv', () => {
  const client = () => new SecretsManagerClient({});

  it('refuses an unknown AUTH_MODE', () => {
    vi.stubEnv('AUTH_MODE', 'basic');
    expect(() => verifierOptionsFromEnv(client)).toThrow(/AUTH_MODE must be "hmac" or "jwks", got "basic"/);
    vi.stubEnv('AUTH_MODE', 'hmac');
  });

  it('refuses a plain-http JWKS URL that is not on this machine', () => {
    vi.stubEnv('AUTH_MODE', 'jwks');
    vi.stubEnv('AUTH_JWKS_URL', 'http://issuer.example/jwks.json');
    vi.stubEnv('AUTH_ISSUER', 'https://issuer.example');
    vi.stubEnv('AUTH_AUDIENCE', 'app');
    expect(() => verifierOptionsFromEnv(client)).toThrow(/AUTH_JWKS_URL must be an https:\/\/ URL/);
    vi.stubEnv('AUTH_MODE', 'hmac');
  });

  it('requires AUTH_ISSUER in jwks mode', () => {
    vi.stubEnv('AUTH_MODE', 'jwks');
    vi.stubEnv('AUTH_JWKS_URL', 'https://issuer.example/jwks.json');
    vi.stubEnv('AUTH_ISSUER', '');
    expect(() => verifierOptionsFromEnv(client)).toThrow(/AUTH_ISSUER is not set/);
    vi.stubEnv('AUTH_MODE', 'hmac');
  });
});
