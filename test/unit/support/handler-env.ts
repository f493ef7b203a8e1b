/**
 * What handler tests need: the event fixtures, a fake Lambda `Context`, and the environment the stack
 * would set.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import type { WebSocketConnectEvent, WebSocketEvent } from '../../../lambdas/handlers/support/events.js';

/** The table name the tests configure. */
export const TEST_TABLE = 'realtime-test';

/** Connection id of every fixture. */
export const FIXTURE_CONNECTION_ID = 'L0SM9cOFvHcCIhw=';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../events/apigw-websocket/${name}`, import.meta.url), 'utf8'));

/** The `$connect` fixture. */
export const connectEvent = (): WebSocketConnectEvent => fixture('connect.json') as WebSocketConnectEvent;

/** The `$disconnect` fixture. */
export const disconnectEvent = (): WebSocketEvent => fixture('disconnect.json') as WebSocketEvent;

/** A message event for `routeKey` with `body` (a string is used as is, anything else JSON-encoded). */
export const messageEvent = (routeKey: string, body: unknown): WebSocketEvent => {
  const event = fixture('message.json') as WebSocketEvent;
  return {
    ...event,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: { ...event.requestContext, routeKey },
  };
};

/** The `$default` fixture (its body is not JSON). */
export const defaultEvent = (): WebSocketEvent => fixture('default.json') as WebSocketEvent;

/** A Lambda context with `remainingMs` left. */
export const fakeContext = (remainingMs = 30_000): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'realtime-api-handler',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:realtime-api-handler',
  memoryLimitInMB: '256',
  awsRequestId: '5f1c8a2e-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/realtime-api-handler',
  logStreamName: '2025/11/26/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => remainingMs,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Sets the variables the stack sets on every function; call before importing a handler module. */
export const stubStackEnv = (): void => {
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  // Dummy credentials, so an SDK call that slipped past `aws-sdk-client-mock` never looks for real ones.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTESTTESTTESTTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret-access-key');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  // Grants carried by an event are checked either way; with auth on, an event without them could do nothing.
  vi.stubEnv('AUTH_ENABLED', 'false');
  vi.stubEnv('PUBLIC_CHANNELS', 'news,public-*');
};

/**
 * `event` as it arrives on a connection the `$connect` authorizer let in with these grants (the
 * `requestContext.authorizer` API Gateway adds to every event of that connection).
 */
export const withGrants = <E extends WebSocketEvent>(
  event: E,
  grants: { channels?: Record<string, string[]>; broadcast?: boolean; users?: string[] },
  userId = 'alice',
): E => ({
  ...event,
  requestContext: {
    ...event.requestContext,
    authorizer: {
      userId,
      grants: JSON.stringify({ channels: {}, broadcast: false, users: [], ...grants }),
      principalId: userId,
      integrationLatency: 12,
    },
  },
});

/** Parses a route response body. */
export const bodyOf = (response: { body?: string }): unknown =>
  response.body === undefined ? undefined : JSON.parse(response.body);
