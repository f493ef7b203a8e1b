/**
 * The session's development token: for an API whose `$connect` authorizer is the product's HMAC authorizer
 * (`AUTH_MODE=hmac`, `AUTH_SECRET_ARN` naming a secret the runtime emulates), a token with every grant signed
 * with that secret, so `npm start` can print a URL that connects and tests connect the same way.
 *
 * @module
 */
import { type LocalEndpoints, resolveValue } from '../assembly/index.js';
import type { StackModel, WebSocketApiModel } from '../model.js';
import type { SecretVault } from '../secrets/vault.js';
import { DEV_CLAIMS, DEV_TOKEN_TTL_SECONDS, signToken } from './tokens.js';

/** The secret the `$connect` authorizer of `api` verifies HS256 tokens with, or undefined. */
export function hmacSecretOf(
  stack: StackModel,
  api: WebSocketApiModel,
  vault: SecretVault,
  endpoints: LocalEndpoints,
): string | undefined {
  const authorizer = api.routes.find((route) => route.routeKey === '$connect')?.authorizer;
  const environment = authorizer && stack.functions.get(authorizer.functionId)?.environment;
  if (environment === undefined) return undefined;
  const read = (name: string): string | undefined => {
    const value = environment[name];
    if (value === undefined) return undefined;
    try {
      return resolveValue(value, { ...endpoints, stack });
    } catch {
      return undefined; // the invocation will report it; without it there is no dev token
    }
  };
  if (read('AUTH_MODE') !== 'hmac') return undefined;
  const arn = read('AUTH_SECRET_ARN');
  return arn === undefined ? undefined : vault.find(arn)?.secretString;
}

/**
 * The development token of `api` (sub `dev`, every grant, valid 24 h), or undefined when its `$connect` has no
 * HMAC authorizer over an emulated secret.
 */
export async function devTokenFor(
  stack: StackModel,
  api: WebSocketApiModel,
  vault: SecretVault,
  endpoints: LocalEndpoints,
): Promise<string | undefined> {
  const secret = hmacSecretOf(stack, api, vault, endpoints);
  return secret === undefined
    ? undefined
    : signToken(secret, DEV_CLAIMS, { ttlSeconds: DEV_TOKEN_TTL_SECONDS });
}
