/**
 * The `$connect` REQUEST authorizer: verifies the connection token and tells API Gateway who the caller is and
 * what it may do. Browsers cannot set headers on a WebSocket, so the token comes from `?token=` or, as an
 * alternative that keeps it out of URLs and access logs, from `Sec-WebSocket-Protocol: realtime, bearer.<jwt>`
 * (then `$connect` answers `Sec-WebSocket-Protocol: realtime`).
 *
 * API Gateway's answers, by what this returns:
 * - no token, a malformed one, a bad signature, an unknown key → `throw new Error('Unauthorized')` → 401;
 * - a verified token that is expired, not yet valid, for another issuer or audience, or whose claims are
 *   not ours (bad `sub`, bad grants) → a Deny policy → 403;
 * - the secret or the JWKS could not be fetched → any other error → 500: the server's fault, and the client
 *   may retry (the authorizer keeps no failed fetch);
 * - otherwise an Allow policy on `methodArn` with the context `{ userId, name?, grants }` (`grants` as JSON:
 *   API Gateway accepts only strings, numbers and booleans as context values), which reaches every route of
 *   the connection as `requestContext.authorizer`.
 *
 * @module
 */

import { secretsManagerClient } from '../adapters/clients/secrets-manager.js';
import {
  makeTokenVerifier,
  TokenRejectedError,
  type VerifyToken,
  verifierOptionsFromEnv,
} from '../adapters/jwt-verifier.js';
import { logger } from '../adapters/logger.js';
import { InvalidClaimsError, type Principal, principalFromClaims } from '../core/grants.js';
import { lambdaEntry } from './support/lambda-entry.js';
import type { RouteLogger } from './support/route-response.js';

/** The prefix of the subprotocol entry that carries the token: `bearer.<jwt>`. */
export const BEARER_PREFIX = 'bearer.';
/** The message API Gateway turns into a 401. */
export const UNAUTHORIZED = 'Unauthorized';

/** The part of a WebSocket REQUEST authorizer event this reads. */
export interface WebSocketAuthorizerEvent {
  readonly methodArn: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: { readonly connectionId?: string };
}

/** The context every route receives as `requestContext.authorizer`. */
export interface AuthorizerContext {
  readonly userId: string;
  readonly name?: string;
  /** The JSON of the caller's `Grants`. */
  readonly grants: string;
}

/** What the authorizer returns to API Gateway. */
export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly [
      { readonly Action: 'execute-api:Invoke'; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string },
    ];
  };
  readonly context?: AuthorizerContext;
}

/** What the authorizer needs. */
export interface AuthorizerDeps {
  readonly verify: VerifyToken;
  readonly logger: RouteLogger;
}

/**
 * The token of a handshake: `?token=`, else the `bearer.<jwt>` entry of `Sec-WebSocket-Protocol` (any header
 * casing). `undefined` when neither has one.
 */
export const tokenOf = (event: WebSocketAuthorizerEvent): string | undefined => {
  const fromQuery = event.queryStringParameters?.token;
  if (fromQuery) return fromQuery;
  const header = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'sec-websocket-protocol',
  )?.[1];
  const entry = header
    ?.split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(BEARER_PREFIX));
  const token = entry?.slice(BEARER_PREFIX.length);
  return token === '' ? undefined : token;
};

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string): AuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

/** The Allow result of a principal. */
const allow = (principal: Principal, methodArn: string): AuthorizerResult => ({
  ...policy(principal.userId, 'Allow', methodArn),
  context: {
    userId: principal.userId,
    ...(principal.name === undefined ? {} : { name: principal.name }),
    grants: JSON.stringify(principal.grants),
  },
});

/** Builds the authorizer handler (see the module documentation for its answers). */
export const makeAuthorizerHandler =
  (deps: AuthorizerDeps) =>
  async (event: WebSocketAuthorizerEvent): Promise<AuthorizerResult> => {
    const connectionId = event.requestContext?.connectionId;
    const token = tokenOf(event);
    if (token === undefined) {
      deps.logger.info('connection refused: no token', { connectionId });
      throw new Error(UNAUTHORIZED);
    }
    let principal: Principal;
    try {
      principal = principalFromClaims(await deps.verify(token));
    } catch (error) {
      if (error instanceof TokenRejectedError && error.kind === 'unauthenticated') {
        deps.logger.info('connection refused (401)', { connectionId, reason: error.message });
        throw new Error(UNAUTHORIZED);
      }
      if (error instanceof TokenRejectedError || error instanceof InvalidClaimsError) {
        deps.logger.info('connection refused (403)', { connectionId, reason: error.message });
        return policy('anonymous', 'Deny', event.methodArn);
      }
      deps.logger.error('token could not be verified', {
        connectionId,
        error: error instanceof Error ? error : String(error),
      });
      throw error;
    }
    return allow(principal, event.methodArn);
  };

/** The Lambda entry point; the verifier is configured from the environment once per container. */
export const handler = lambdaEntry(
  makeAuthorizerHandler({
    verify: makeTokenVerifier(verifierOptionsFromEnv(() => secretsManagerClient)),
    logger,
  }),
);
