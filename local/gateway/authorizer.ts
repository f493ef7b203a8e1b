/**
 * Lambda REQUEST authorizers on `$connect`, as API Gateway runs them: identity sources first (missing → 401
 * without invoking), then the authorizer function, then its IAM policy.
 *
 * @module
 */
import type { InvokeResult } from '../model.js';
import { LOCAL_ACCOUNT_ID } from './constants.js';
import type { AuthorizerContext, WebSocketRequestContext } from './event-format.js';
import { type HandshakeRequest, headerValue } from './handshake-request.js';
import { evaluatePolicy } from './iam-policy.js';
import { failureOutcome } from './invocation.js';

/** The event a REQUEST authorizer receives on a WebSocket API. */
export interface RequestAuthorizerEvent {
  readonly type: 'REQUEST';
  readonly methodArn: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly queryStringParameters: Readonly<Record<string, string>>;
  readonly multiValueQueryStringParameters: Readonly<Record<string, readonly string[]>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly requestContext: WebSocketRequestContext;
}

/** What the gateway does with the connection after the authorizer. */
export type AuthorizerDecision =
  | { readonly allowed: true; readonly context: AuthorizerContext }
  | {
      readonly allowed: false;
      readonly statusCode: 401 | 403 | 500;
      /** For the invocation log: why, when it is not just the status. */
      readonly detail?: string;
    };

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`, what `methodArn` holds. */
export function connectMethodArn(region: string, apiId: string, stage: string): string {
  return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT_ID}:${apiId}/${stage}/$connect`;
}

/**
 * True when every identity source has a non-empty value. API Gateway answers 401 without invoking the
 * authorizer otherwise. Header sources match case-insensitively; query sources exactly. Sources of other kinds
 * (`stageVariables.*`, `context.*`) cannot be missing from a request and are not checked.
 */
export function identitySourcesPresent(sources: readonly string[], request: HandshakeRequest): boolean {
  return sources.every((source) => {
    const header = /^route\.request\.header\.(.+)$/.exec(source)?.[1];
    if (header !== undefined) return Boolean(headerValue(request, header));
    const query = /^route\.request\.querystring\.(.+)$/.exec(source)?.[1];
    if (query !== undefined) return Boolean(request.queryStringParameters?.[query]);
    return true;
  });
}

/**
 * The REQUEST authorizer event. Unlike the `$connect` event, AWS always sends the query fields here (`{}` when
 * there is no query string) and an empty `stageVariables` map.
 */
export function authorizerEvent(
  methodArn: string,
  request: HandshakeRequest,
  context: WebSocketRequestContext,
): RequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    headers: request.headers,
    multiValueHeaders: request.multiValueHeaders,
    queryStringParameters: request.queryStringParameters ?? {},
    multiValueQueryStringParameters: request.multiValueQueryStringParameters ?? {},
    stageVariables: {},
    requestContext: context,
  };
}

/**
 * Turns the authorizer's result into a decision. Throwing exactly `Unauthorized` is the documented way to
 * answer 401; any other failure, or a malformed result, is a 500. A policy that denies (explicitly or by not
 * allowing `methodArn`) is a 403.
 */
export function authorizerDecision(
  result: InvokeResult,
  methodArn: string,
  integrationLatency: number,
): AuthorizerDecision {
  if (!result.ok) {
    if (result.kind === 'error' && result.errorMessage === 'Unauthorized') {
      return { allowed: false, statusCode: 401 };
    }
    return { allowed: false, statusCode: 500, detail: failureOutcome(result) };
  }
  const value = result.value;
  if (typeof value !== 'object' || value === null) return invalid('the result is not an object');
  const { principalId, policyDocument, context } = value as Record<string, unknown>;
  if (typeof principalId !== 'string' && typeof principalId !== 'number') {
    return invalid('principalId is missing');
  }
  const verdict = evaluatePolicy(policyDocument, 'execute-api:Invoke', methodArn);
  if (verdict === 'invalid') return invalid('policyDocument is not a valid policy');
  if (verdict === 'deny') return { allowed: false, statusCode: 403 };
  const entries = stringifiedContext(context);
  if (!entries) return invalid('context values must be strings, numbers or booleans');
  return { allowed: true, context: { ...entries, principalId: String(principalId), integrationLatency } };
}

/** The invocation-log outcome of a decision. */
export function decisionOutcome(decision: AuthorizerDecision): string {
  if (decision.allowed) return '200';
  return decision.detail ?? `rejected ${decision.statusCode}`;
}

function invalid(why: string): AuthorizerDecision {
  return { allowed: false, statusCode: 500, detail: `error AuthorizerConfigurationException: ${why}` };
}

/** AWS passes context values on as strings and rejects nested objects or arrays. */
function stringifiedContext(context: unknown): Record<string, string> | undefined {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return undefined;
    out[key] = String(value);
  }
  return out;
}
