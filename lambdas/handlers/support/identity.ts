/**
 * Who is calling a route and what it may do: the grants the `$connect` authorizer put in
 * `requestContext.authorizer`, and the checks every route makes with them before any work. A denial is a
 * `FORBIDDEN` error frame; nothing is stored or delivered.
 *
 * @module
 */
import { ConfigurationError } from '../../adapters/env.js';
import { ProtocolError, type RequestId } from '../../core/errors.js';
import {
  type Grants,
  grantsFromJson,
  InvalidClaimsError,
  mayAccess,
  mayMessageUser,
  NO_GRANTS,
  type Operation,
  parsePublicChannels,
} from '../../core/grants.js';

/** How a route function checks access: from `AUTH_ENABLED` and `PUBLIC_CHANNELS` (the stack sets both). */
export interface AccessPolicy {
  /** Whether connections come through the authorizer; then a connection without grants may do nothing. */
  readonly authEnabled: boolean;
  /** Channel patterns every client may read (subscribe, presence, history) but not write. */
  readonly publicChannels: readonly string[];
}

/** No authorizer: everything is allowed, except writing to a public channel (there are none here). */
export const AUTH_OFF: AccessPolicy = Object.freeze({ authEnabled: false, publicChannels: [] });

/**
 * The policy in the environment: `AUTH_ENABLED` (`true` unless it says `false`) and `PUBLIC_CHANNELS`
 * (comma-separated patterns).
 *
 * @throws {ConfigurationError} for an `AUTH_ENABLED` that is neither, or a pattern that is not one.
 */
export const accessPolicyFromEnv = (): AccessPolicy => {
  const enabled = process.env.AUTH_ENABLED?.trim() || 'true';
  if (enabled !== 'true' && enabled !== 'false') {
    throw new ConfigurationError(`AUTH_ENABLED must be "true" or "false", got ${JSON.stringify(enabled)}`);
  }
  try {
    return {
      authEnabled: enabled === 'true',
      publicChannels: parsePublicChannels(process.env.PUBLIC_CHANNELS),
    };
  } catch (error) {
    if (error instanceof InvalidClaimsError) throw new ConfigurationError(error.message, { cause: error });
    throw error;
  }
};

/**
 * The caller's grants, from the `grants` JSON the authorizer put in the request context; `undefined` when the
 * connection came through no authorizer (auth off). Grants that cannot be read allow nothing.
 */
export const grantsOf = (requestContext: object): Grants | undefined => {
  const authorizer: unknown = (requestContext as { authorizer?: unknown }).authorizer;
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const { grants } = authorizer as { grants?: unknown };
  if (typeof grants !== 'string') return undefined;
  try {
    return grantsFromJson(JSON.parse(grants));
  } catch {
    return NO_GRANTS;
  }
};

/**
 * The grants to check: the caller's, else none at all when auth is on (a connection that bypassed the
 * authorizer may do nothing), else `undefined` (auth off).
 */
const effectiveGrants = (policy: AccessPolicy, requestContext: object): Grants | undefined =>
  grantsOf(requestContext) ?? (policy.authEnabled ? NO_GRANTS : undefined);

/**
 * Checks that the caller may do `operation` on `channel` (see `mayAccess` in `core/grants.ts`).
 *
 * @throws {ProtocolError} `FORBIDDEN` when it may not.
 */
export const authorize = (
  policy: AccessPolicy,
  requestContext: object,
  operation: Operation,
  channel: string,
  requestId?: RequestId,
): void => {
  if (!mayAccess(effectiveGrants(policy, requestContext), policy.publicChannels, operation, channel)) {
    throw new ProtocolError('FORBIDDEN', `not allowed to ${operation} on ${JSON.stringify(channel)}`, {
      requestId,
    });
  }
};

/**
 * Checks that the caller may broadcast to every open connection: with auth on, only a token with
 * `broadcast: true` may.
 *
 * @throws {ProtocolError} `FORBIDDEN` when it may not.
 */
export const authorizeBroadcast = (
  policy: AccessPolicy,
  requestContext: object,
  requestId?: RequestId,
): void => {
  const grants = effectiveGrants(policy, requestContext);
  if (grants !== undefined && !grants.broadcast) {
    throw new ProtocolError(
      'FORBIDDEN',
      'not allowed to broadcast to everyone (the token has no broadcast grant)',
      {
        requestId,
      },
    );
  }
};

/**
 * Who the caller may message directly (`sendtouser`): anyone while auth is off, else the users its token's
 * `users` patterns name (see `mayMessageUser` in `core/grants.ts`); a connection without grants, no one.
 */
export const messagePolicy =
  (policy: AccessPolicy) =>
  (requestContext: object, userId: string): boolean => {
    const grants = effectiveGrants(policy, requestContext);
    return grants === undefined || mayMessageUser(grants, userId);
  };
