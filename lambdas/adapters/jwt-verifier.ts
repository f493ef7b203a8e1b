/**
 * Verifies the connection token (a JWT) with `jose`, in one of two modes (`AUTH_MODE`):
 *
 * - `hmac` (default): HS256, keyed by the UTF-8 `SecretString` of a Secrets Manager secret (`AUTH_SECRET_ARN`),
 *   fetched once per container and kept in memory; never in the template, the code or the environment.
 * - `jwks`: RS/PS/ES signatures checked against the keys of an OIDC issuer (`AUTH_JWKS_URL`, e.g. Cognito's
 *   `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`), with `iss` = `AUTH_ISSUER` and
 *   `aud` = `AUTH_AUDIENCE` required.
 *
 * Both take only the algorithms they list (never `none`, never HS256 with a public key), require `exp` and
 * `sub`, and allow 5 s of clock skew. `jose`'s errors are translated here into {@link TokenRejectedError}: a
 * token that is not one of ours (malformed, badly signed, unknown key) is `unauthenticated`; one of ours whose
 * claims say no (expired, not yet valid, wrong issuer or audience) is `forbidden`. Anything else (the secret or
 * the JWKS could not be fetched) is rethrown: a server fault, not the client's.
 *
 * @module
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { ConfigurationError, requireEnv } from './env.js';

/** Clock skew allowed on `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** HS256 wants a key at least as long as its hash: 256 bits. */
export const MIN_SECRET_BYTES = 32;
/** The asymmetric algorithms a JWKS issuer may sign with (Cognito and Auth0 use RS256). */
export const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];
/** The one algorithm of `hmac` mode. */
export const HMAC_ALGORITHMS = ['HS256'];

/** Why a token was refused: API Gateway answers `unauthenticated` with 401 and `forbidden` with 403. */
export type RejectionKind = 'unauthenticated' | 'forbidden';

/** The token was refused; `message` says why (safe to log: it never contains the token). */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  readonly kind: RejectionKind;

  constructor(kind: RejectionKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** Verifies a token and returns its claims. */
export type VerifyToken = (token: string) => Promise<JWTPayload>;

/** How to verify tokens. */
export type VerifierOptions =
  | { readonly mode: 'hmac'; readonly secret: () => Promise<Uint8Array> }
  | {
      readonly mode: 'jwks';
      readonly keys: JWTVerifyGetKey;
      readonly issuer: string;
      readonly audience: string;
    };

/**
 * Builds the verifier for `options`.
 *
 * @throws {TokenRejectedError} from the returned function, for a token that is refused.
 */
export const makeTokenVerifier = (options: VerifierOptions): VerifyToken => {
  const common: JWTVerifyOptions = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp', 'sub'],
  };
  return async (token) => {
    try {
      if (options.mode === 'hmac') {
        const key = await options.secret();
        return (await jwtVerify(token, key, { ...common, algorithms: HMAC_ALGORITHMS })).payload;
      }
      const { keys, issuer, audience } = options;
      const verifyOptions = { ...common, algorithms: JWKS_ALGORITHMS, issuer, audience };
      return (await jwtVerify(token, keys, verifyOptions)).payload;
    } catch (error) {
      throw translate(error);
    }
  };
};

/** `jose`'s verdicts as rejections; anything else (fetching the secret or the keys failed) as it is. */
function translate(error: unknown): unknown {
  if (error instanceof errors.JWTExpired)
    return new TokenRejectedError('forbidden', 'token expired', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejectedError('forbidden', `token claim "${error.claim}" refused: ${error.reason}`, {
      cause: error,
    });
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new TokenRejectedError('unauthenticated', `token refused: ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * The HMAC key from a Secrets Manager secret, fetched on first use and kept for the container's life. A failed
 * fetch is not kept: the next call tries again.
 *
 * @throws {ConfigurationError} when the secret has no `SecretString` or one shorter than 32 bytes.
 */
export const secretKeyFrom = (
  client: SecretsManagerClient,
  secretArn: string,
): (() => Promise<Uint8Array>) => {
  let key: Promise<Uint8Array> | undefined;
  const fetchKey = async (): Promise<Uint8Array> => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const bytes = new TextEncoder().encode(SecretString ?? '');
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new ConfigurationError(
        `the token secret ${secretArn} must hold a SecretString of at least ${MIN_SECRET_BYTES} bytes`,
      );
    }
    return bytes;
  };
  return () => {
    key ??= fetchKey().catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };
};

/**
 * The verifier the environment describes: `AUTH_MODE` (`hmac` | `jwks`, default `hmac`), then `AUTH_SECRET_ARN`
 * or `AUTH_JWKS_URL`, `AUTH_ISSUER` and `AUTH_AUDIENCE`. Read at load time, so a misconfigured function fails
 * at once.
 *
 * @throws {ConfigurationError} naming what is missing or wrong.
 */
export const verifierOptionsFromEnv = (client: () => SecretsManagerClient): VerifierOptions => {
  const mode = process.env.AUTH_MODE?.trim() || 'hmac';
  if (mode === 'hmac') return { mode, secret: secretKeyFrom(client(), requireEnv('AUTH_SECRET_ARN')) };
  if (mode === 'jwks') {
    const url = requireEnv('AUTH_JWKS_URL');
    return {
      mode,
      keys: createRemoteJWKSet(jwksUrl(url)),
      issuer: requireEnv('AUTH_ISSUER'),
      audience: requireEnv('AUTH_AUDIENCE'),
    };
  }
  throw new ConfigurationError(`AUTH_MODE must be "hmac" or "jwks", got ${JSON.stringify(mode)}`);
};

/** Keys must come over TLS; plain http only from this machine (a local issuer in tests). */
function jwksUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const loopback = url?.hostname === '127.0.0.1' || url?.hostname === 'localhost';
  if (url?.protocol === 'https:' || (url?.protocol === 'http:' && loopback)) return url;
  throw new ConfigurationError(`AUTH_JWKS_URL must be an https:// URL, got ${JSON.stringify(value)}`);
}
