import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  disconnectEvent,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { goneError, postedFrames, postedTo } from '../support/management-api-mock.js';

const ME = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let disconnect: typeof import('../../../lambdas/handlers/disconnect.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  disconnect = await import('../../../lambdas/handlers/disconnect.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(1_764_150_120_000, ddb, api);

const myItem = (pk: string) => ({ pk, sk: `CONN#${ME}`, connectionId: ME });

/** The connection's items on the byConnection index, its META, and who is present where. */
const givenConnection = (pks: string[], present: Record<string, string[]> = {}) => {
  ddb.on(GetCommand).resolves({ Item: { clientId: 'device-7', name: 'Ann' } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(QueryCommand, { IndexName: 'byConnection' }).resolves({ Items: pks.map(myItem) });
  for (const [channel, ids] of Object.entries(present)) {
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `PRES#${channel}` } })
      .resolves({ Items: ids.map((connectionId) => ({ connectionId })) });
  }
  ddb.on(BatchWriteCommand).resolves({});
  api.on(PostToConnectionCommand).resolves({});
};

const deletedKeys = () =>
  ddb
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
    .map((request) => request.DeleteRequest?.Key);

describe('$disconnect handler', () => {
  it('removes the connection and every subscription listed by the byConnection index', async () => {
    givenConnection(['CHAN#lobby', 'CHAN#games/1']);

    const response = await disconnect.handler(disconnectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200 });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': ME },
    });
    const deleted = deletedKeys();
    expect(deleted).toEqual(
      expect.arrayContaining([
        { pk: `CONN#${ME}`, sk: 'META' },
        { pk: 'CHAN#lobby', sk: `CONN#${ME}` },
        { pk: 'CHAN#games/1', sk: `CONN#${ME}` },
      ]),
    );
    expect(deleted).toHaveLength(4);
    // Present nowhere: nobody to tell.
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('announces its leave, as the client it was, to those present in each channel where it was present', async () => {
    givenConnection(['CHAN#lobby', 'PRES#lobby', 'PRES#games/1'], {
      lobby: ['a', 'b'],
      'games/1': ['c'],
    });

    const response = await disconnect.handler(disconnectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200 });
    expect(deletedKeys()).toEqual(
      expect.arrayContaining([
        { pk: 'PRES#lobby', sk: `CONN#${ME}` },
        { pk: 'PRES#games/1', sk: `CONN#${ME}` },
      ]),
    );
    const member = { clientId: 'device-7', name: 'Ann', connectionId: ME };
    const posts = postedTo(api).map((id, i) => [id, JSON.parse(postedFrames(api)[i] ?? '')]);
    expect(posts.sort()).toEqual(
      [
        ['a', { type: 'leave', channel: 'lobby', member }],
        ['b', { type: 'leave', channel: 'lobby', member }],
        ['c', { type: 'leave', channel: 'games/1', member }],
      ].sort(),
    );
  });

  it('removes a present member found gone while announcing', async () => {
    givenConnection(['PRES#lobby'], { lobby: ['ghost', 'a'] });
    api.on(PostToConnectionCommand, { ConnectionId: 'ghost' }).rejects(goneError());
    ddb
      .on(QueryCommand, { IndexName: 'byConnection', ExpressionAttributeValues: { ':cid': 'ghost' } })
      .resolves({ Items: [{ pk: 'CHAN#lobby', sk: 'CONN#ghost', connectionId: 'ghost' }] });

    await disconnect.handler(disconnectEvent(), fakeContext());

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': 'ghost' },
    });
    expect(deletedKeys()).toContainEqual({ pk: 'CHAN#lobby', sk: 'CONN#ghost' });
    expect(postedTo(api).sort()).toEqual(['a', 'ghost']);
  });

  it('logs a store failure and still answers 200 instead of throwing', async () => {
    givenConnection([]);
    ddb.on(QueryCommand).rejects(new Error('DynamoDB unavailable'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await disconnect.handler(disconnectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200 });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]?.[1]).toMatchObject({ connectionId: ME });
  });

  it('logs a failure to read who it was and still answers 200', async () => {
    givenConnection(['CHAN#lobby']);
    ddb.on(GetCommand).rejects(new Error('ThrottlingException'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await disconnect.handler(disconnectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200 });
    expect(errors).toHaveBeenCalledWith(
      'disconnect cleanup failed; items will expire by TTL',
      expect.objectContaining({ connectionId: ME }),
    );
  });
});
