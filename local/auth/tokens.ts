/**
 * Signs the tokens the product's HMAC authorizer accepts (HS256, `jose`), keyed by the UTF-8 `SecretString` of
 * the stack's Secrets Manager secret. The claims are the authorizer's contract: `sub` (the user id), `exp`,
 * and optionally `name`, `channels` (channel pattern → operations), `broadcast` and `users` (user-id
 * patterns the holder may message directly).
 *
 * @module
 */
import { SignJWT } from 'jose';

/** What a grant can allow on a channel (the authorizer's `Operation`); `*` allows every one. */
export const OPERATIONS = ['subscribe', 'publish', 'presence', 'history', 'score'] as const;
/** One operation, or `*` for all. */
export type GrantedOperation = (typeof OPERATIONS)[number] | '*';

/** A user id the authorizer accepts as `sub`. */
export const SUBJECT_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;

/** The claims of a token, without the times. */
export interface TokenClaims {
  readonly sub: string;
  readonly name?: string;
  /** Channel name, `prefix*` or `*` → the operations allowed on it. */
  readonly channels?: Readonly<Record<string, readonly GrantedOperation[]>>;
  /** May send to every connection (`sendmessage`). */
  readonly broadcast?: boolean;
  /** User-id patterns the holder may message directly. */
  readonly users?: readonly string[];
}

/**
 * The development token's claims: user `dev`, every grant. No `name`: each client keeps the display name it
 * connects with (`?name=`). Every connection on this token is the client `dev` (with auth on a connection's
 * `clientId` is its token's user), so tests and the demo page sign one per user instead (`tokenFor`).
 */
export const DEV_CLAIMS: TokenClaims = {
  sub: 'dev',
  channels: { '*': ['*'] },
  broadcast: true,
  users: ['*'],
};

/** How long the development token is valid: 24 h. */
export const DEV_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** Options of {@link signToken}. */
export interface SignOptions {
  /** Seconds from now until `exp`. */
  readonly ttlSeconds: number;
  /** Epoch seconds of `iat` (and the base of `exp`). @default now */
  readonly now?: number;
}

/** The claims are not what the authorizer accepts. */
export class TokenClaimsError extends Error {
  override readonly name = 'TokenClaimsError';
}

/**
 * An HS256 JWT with `claims`, `iat` and `exp`, signed with `secret` (UTF-8).
 *
 * @throws TokenClaimsError for a `sub` the authorizer would refuse or a ttl that is not a positive integer.
 * @example
 * await signToken(secretString, { sub: 'alice', channels: { 'game-*': ['subscribe'] } }, { ttlSeconds: 3600 });
 */
export async function signToken(secret: string, claims: TokenClaims, options: SignOptions): Promise<string> {
  if (!SUBJECT_PATTERN.test(claims.sub)) {
    throw new TokenClaimsError(`sub must match ${SUBJECT_PATTERN.source}, got ${JSON.stringify(claims.sub)}`);
  }
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
    throw new TokenClaimsError(`the ttl must be a positive number of seconds, got ${options.ttlSeconds}`);
  }
  if (secret.length === 0) throw new TokenClaimsError('the signing secret is empty');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
