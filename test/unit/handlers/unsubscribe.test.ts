import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { postedFrames, postedTo } from '../support/management-api-mock.js';

const ME = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let unsubscribe: typeof import('../../../lambdas/handlers/unsubscribe.js');

beforeAll(async () => {
  stubStackEnv();
  unsubscribe = await import('../../../lambdas/handlers/unsubscribe.js');
});

useHandlerTestHooks(1_764_150_120_000, ddb, api);

const PRESENCE_KEY = { pk: 'PRES#lobby', sk: `CONN#${ME}` };

/** The caller's presence item in the lobby (none when `me` is undefined), and who else is present. */
const givenLobby = (me?: Record<string, unknown>, others: string[] = []) => {
  ddb.on(DeleteCommand).resolves({});
  ddb.on(DeleteCommand, { Key: PRESENCE_KEY }).resolves(me === undefined ? {} : { Attributes: me });
  ddb.on(QueryCommand).resolves({ Items: others.map((connectionId) => ({ connectionId })) });
  api.on(PostToConnectionCommand).resolves({});
};

const unsubscribeEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('unsubscribe', { action: 'unsubscribe', channel: 'lobby', ...fields });

describe('unsubscribe handler', () => {
  it('deletes the subscription and acks', async () => {
    givenLobby();

    const response = await unsubscribe.handler(unsubscribeEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200, body: '{"type":"unsubscribed","channel":"lobby"}' });
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: `CONN#${ME}` },
      // So that the connection's subscription counter is given back only for a subscription that existed.
      ReturnValues: 'ALL_OLD',
    });
  });

  it('leaves the presence too, and announces nothing when it was not present', async () => {
    givenLobby(undefined, ['other']);

    await unsubscribe.handler(unsubscribeEvent(), fakeContext());

    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: PRESENCE_KEY, ReturnValues: 'ALL_OLD' });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('announces the leave, as the member it was, to those still present', async () => {
    givenLobby({ ...PRESENCE_KEY, connectionId: ME, clientId: 'device-7', name: 'Ann', ttl: 1 }, ['a', 'b']);

    const response = await unsubscribe.handler(unsubscribeEvent({ id: 3 }), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'unsubscribed', channel: 'lobby', id: 3 });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: { ':pk': 'PRES#lobby', ':member': 'CONN#', ':now': expect.any(Number) },
      FilterExpression: '#ttl > :now',
    });
    expect(postedTo(api).sort()).toEqual(['a', 'b']);
    expect(new Set(postedFrames(api))).toEqual(
      new Set([
        JSON.stringify({
          type: 'leave',
          channel: 'lobby',
          member: { clientId: 'device-7', name: 'Ann', connectionId: ME },
        }),
      ]),
    );
  });

  it('answers an invalid channel with INVALID_CHANNEL and the id, deleting nothing', async () => {
    givenLobby();

    const response = await unsubscribe.handler(
      unsubscribeEvent({ channel: 'no spaces', id: 8 }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INVALID_CHANNEL', id: 8 });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR when DynamoDB fails', async () => {
    ddb.on(DeleteCommand).rejects(new Error('ServiceUnavailable'));

    const response = await unsubscribe.handler(unsubscribeEvent({ id: 'u' }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 'u' });
  });
});
