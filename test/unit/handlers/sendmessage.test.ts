import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagementApiError } from '../../../lambdas/adapters/management-api-client.js';
import { bodyOf, fakeContext, messageEvent, stubStackEnv } from '../support/handler-env.js';
import { useManagementApiSpy } from '../support/management-api-spy.js';

const ddb = mockClient(DynamoDBDocumentClient);
let sendmessage: typeof import('../../../lambdas/handlers/sendmessage.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  sendmessage = await import('../../../lambdas/handlers/sendmessage.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  ddb.reset();
  vi.restoreAllMocks();
});

// Registered after the restoreAllMocks hook above, so the spy is reinstalled after it in every test.
const managementApi = useManagementApiSpy();

const shard = (n: number) => ({ ExpressionAttributeValues: { ':pk': `ALL#${n}`, ':member': 'CONN#' } });
const items = (...ids: string[]) => ids.map((connectionId) => ({ connectionId }));

/** Shard 0 has two pages, shard 3 one; the others are empty. */
const givenConnections = () => {
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb
    .on(QueryCommand, shard(0))
    .resolvesOnce({ Items: items('a', 'b'), LastEvaluatedKey: { pk: 'ALL#0', sk: 'CONN#b' } })
    .resolvesOnce({ Items: items('c') });
  ddb.on(QueryCommand, shard(3)).resolves({ Items: items('d') });
  ddb.on(BatchWriteCommand).resolves({});
};

const posts = () => managementApi.calls().map((call) => [call.connectionId, call.data]);

describe('sendmessage handler', () => {
  it('sends a string as the raw frame to every connection of every shard and replies with no body', async () => {
    givenConnections();

    const response = await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'hello everyone' }),
      fakeContext(),
    );

    expect(response).toEqual({ statusCode: 200 });
    expect(posts().sort()).toEqual([
      ['a', 'hello everyone'],
      ['b', 'hello everyone'],
      ['c', 'hello everyone'],
      ['d', 'hello everyone'],
    ]);
    const shardsRead = ddb
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(new Set(shardsRead)).toEqual(new Set(['ALL#0', 'ALL#1', 'ALL#2', 'ALL#3']));
  });

  it('sends non-string data as JSON', async () => {
    givenConnections();

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: { n: 1 } }),
      fakeContext(),
    );

    expect(new Set(posts().map(([, data]) => data))).toEqual(new Set(['{"n":1}']));
  });

  it('removes a connection that is gone and logs the counts', async () => {
    givenConnections();
    managementApi.failFor('c', new ManagementApiError('GoneException', 410, 'Gone'));
    const info = vi.spyOn(logging.logger, 'info');

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x' }),
      fakeContext(),
    );

    const cleanups = ddb
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName === 'byConnection');
    expect(cleanups.map((call) => call.args[0].input.ExpressionAttributeValues?.[':cid'])).toEqual(['c']);
    expect(info).toHaveBeenCalledWith('fan-out', { route: 'sendmessage', delivered: 3, gone: 1, failed: 0 });
  });

  it('answers missing data with INVALID_REQUEST and the id, sending nothing', async () => {
    givenConnections();

    const response = await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', id: 4 }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'INVALID_REQUEST',
      message: 'data is required',
      id: 4,
    });
    expect(posts()).toEqual([]);
  });

  it('answers INTERNAL_ERROR, without throwing, when reading connections fails', async () => {
    ddb.on(QueryCommand).rejects(new Error('InternalServerError'));

    const response = await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x', id: 'm' }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 'm' });
    expect(posts()).toEqual([]);
  });
});
