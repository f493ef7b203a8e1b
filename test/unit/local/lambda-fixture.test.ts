import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssembly } from '../../../local/assembly/load.js';
import { createLambdaInvoker, type LocalLambdaInvoker } from '../../../local/lambda/index.js';
import type { InvokeResult, StackModel, WebSocketApiModel } from '../../../local/model.js';
import { ECHO_STAGE, synthFixture } from '../../fixtures/echo-app/synth.js';

const SYNTH_TIMEOUT_MS = 120_000;
const ECHO_PORT = 45_678;

let scratch: string;
let stack: StackModel;
let echoApi: WebSocketApiModel;
let lambdas: LocalLambdaInvoker;

/** The function behind `routeKey` of `api`. */
function functionOf(api: WebSocketApiModel, routeKey: string): string {
  const route = api.routes.find((candidate) => candidate.routeKey === routeKey);
  if (route === undefined) throw new Error(`no route ${routeKey}`);
  return route.functionId;
}

function okValue<T>(result: InvokeResult): T {
  if (!result.ok) throw new Error(`invocation failed: ${result.errorType}: ${result.errorMessage}`);
  return result.value as T;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lambda-fixture-'));
  const app = await loadAssembly(await synthFixture(join(scratch, 'echo')));
  const [first] = app.stacks;
  const [api] = first?.apis ?? [];
  if (first === undefined || api === undefined) throw new Error('fixture assembly has no API');
  stack = first;
  echoApi = api;
  lambdas = createLambdaInvoker(stack, { region: 'eu-west-1', apiPorts: new Map([[api.apiId, ECHO_PORT]]) });
}, SYNTH_TIMEOUT_MS);

afterAll(async () => {
  await lambdas?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('createLambdaInvoker with the echo fixture bundles', () => {
  it('runs the bundled echo handler and returns the event as the body', async () => {
    const event = { requestContext: { routeKey: 'echo', connectionId: 'abc=' }, body: '{"action":"echo"}' };
    const result = okValue<{ statusCode: number; body: string }>(
      await lambdas.invoke(functionOf(echoApi, 'echo'), event),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual(event);
  });

  it('resolves the stack environment with local URLs for the stage', async () => {
    const result = okValue<{ body: string }>(await lambdas.invoke(functionOf(echoApi, 'env'), {}));
    const table = stack.tables[0]?.tableName;
    expect(JSON.parse(result.body)).toEqual({
      TABLE_NAME: table,
      TABLE_ARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${table}`,
      CALLBACK_URL: `http://127.0.0.1:${ECHO_PORT}/${ECHO_STAGE}`,
      WS_URL: `ws://127.0.0.1:${ECHO_PORT}/${ECHO_STAGE}`,
      API_ENDPOINT: `ws://127.0.0.1:${ECHO_PORT}`,
      GREETING: 'hello',
      REGION_SUB: `eu-west-1/${stack.stackName}`,
    });
  });

  it('lets $connect reject, throw or pick the chat subprotocol', async () => {
    const connect = functionOf(echoApi, '$connect');
    expect(okValue(await lambdas.invoke(connect, { queryStringParameters: { reject: '401' } }))).toEqual({
      statusCode: 401,
    });
    expect(await lambdas.invoke(connect, { queryStringParameters: { throw: '1' } })).toMatchObject({
      ok: false,
      kind: 'error',
      errorMessage: 'connect failed on purpose',
    });
    expect(
      okValue(await lambdas.invoke(connect, { headers: { 'sec-websocket-protocol': 'v1, chat' } })),
    ).toEqual({
      statusCode: 200,
      headers: { 'Sec-WebSocket-Protocol': 'chat' },
    });
    expect(okValue(await lambdas.invoke(connect, {}))).toEqual({ statusCode: 200 });
  });

  it('runs the authorizer: Allow with context for token allow, Deny otherwise', async () => {
    const authorizer = stack.apis[1]?.routes.find((route) => route.routeKey === '$connect')?.authorizer;
    if (authorizer === undefined) throw new Error('no authorizer');
    const decide = async (token: string) =>
      okValue<APIGatewayAuthorizerResult>(
        await lambdas.invoke(authorizer.functionId, {
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:eu-west-1:000000000000:abc/prod/$connect',
          queryStringParameters: { token },
        }),
      );
    const allowed = await decide('allow');
    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(allowed.context).toEqual({ user: 'alice' });
    expect((await decide('nope')).policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });

  it('reports the boom route as a TypeError', async () => {
    expect(await lambdas.invoke(functionOf(echoApi, 'boom'), {})).toMatchObject({
      ok: false,
      kind: 'error',
      errorType: 'TypeError',
      errorMessage: 'boom on purpose',
    });
  });

  it('times the slow route out after its 1-second timeout', async () => {
    expect(await lambdas.invoke(functionOf(echoApi, 'slow'), {})).toMatchObject({
      ok: false,
      kind: 'timeout',
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
    });
  });
});
