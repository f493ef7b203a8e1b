/**
 * Who the caller is as a user: the `userId` (and `name`) the REQUEST authorizer put in its context (API Gateway
 * passes that context to every route as `requestContext.authorizer`), or nothing when auth is off.
 *
 * @module
 */

/** A non-empty string field of the authorizer's context, else `undefined`. */
const authorizerField = (requestContext: object, key: 'userId' | 'name'): string | undefined => {
  // `@types/aws-lambda` does not model the WebSocket authorizer context, so it is read structurally.
  const authorizer: unknown = 'authorizer' in requestContext ? requestContext.authorizer : undefined;
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const value = (authorizer as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * The authorizer's `userId`, when auth is on and the context carries a non-empty string; else `undefined`
 * (callers then fall back to the connection's `clientId`, which stands in for the user while auth is off).
 *
 * @example
 * const userId = authorizedUserId(event.requestContext) ?? member.clientId;
 */
export const authorizedUserId = (requestContext: object): string | undefined =>
  authorizerField(requestContext, 'userId');

/** The display name the authorizer's context carries (the token's `name`), if any. */
export const authorizedName = (requestContext: object): string | undefined =>
  authorizerField(requestContext, 'name');
