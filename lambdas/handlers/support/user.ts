/**
 * Who the caller is as a user: the `userId` the REQUEST authorizer put in its context (API Gateway passes that
 * context to every route as `requestContext.authorizer`), or nothing when auth is off.
 *
 * @module
 */

/**
 * The authorizer's `userId`, when auth is on and the context carries a non-empty string; else `undefined`
 * (callers then fall back to the connection's `clientId`, which stands in for the user while auth is off).
 *
 * @example
 * const userId = authorizedUserId(event.requestContext) ?? member.clientId;
 */
export const authorizedUserId = (requestContext: object): string | undefined => {
  // `@types/aws-lambda` does not model the WebSocket authorizer context, so it is read structurally.
  const authorizer: unknown = 'authorizer' in requestContext ? requestContext.authorizer : undefined;
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const userId = (authorizer as Record<string, unknown>).userId;
  return typeof userId === 'string' && userId !== '' ? userId : undefined;
};
