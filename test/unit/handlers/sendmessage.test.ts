import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bodyOf, fakeContext, messageEvent, stubStackEnv, withGrants } from '../support/handler-env.js';
import {
  forbiddenError,
  goneError,
  postedFrames,
  postedTo,
  serviceError,
  throttledError,
} from '../support/management-api-mock.js';

const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
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
  api.reset();
  vi.restoreAllMocks();
});

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
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  api.on(PostToConnectionCommand).resolves({});
};

const posts = () => {
  const frames = postedFrames(api);
  return postedTo(api).map((connectionId, i) => [connectionId, frames[i]]);
};

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
    api.on(PostToConnectionCommand, { ConnectionId: 'c' }).rejects(goneError());
    const info = vi.spyOn(logging.logger, 'info');

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x' }),
      fakeContext(),
    );

    const cleanups = ddb
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName === 'byConnection');
    expect(cleanups.map((call) => call.args[0].input.ExpressionAttributeValues?.[':cid'])).toEqual(['c']);
    expect(info).toHaveBeenCalledWith('fan-out', {
      route: 'sendmessage',
      delivered: 3,
      gone: 1,
      failed: 0,
      retried: 0,
    });
  });

  it('announces the leave of a gone connection to those present where it was present', async () => {
    givenConnections();
    api.on(PostToConnectionCommand, { ConnectionId: 'c' }).rejects(goneError());
    ddb
      .on(GetCommand, { Key: { pk: 'CONN#c', sk: 'META' } })
      .resolves({ Item: { clientId: 'cy', name: 'Cy' } });
    ddb
      .on(QueryCommand, { IndexName: 'byConnection' })
      .resolves({ Items: [{ pk: 'PRES#lobby', sk: 'CONN#c', connectionId: 'c' }] });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PRES#lobby' } })
      .resolves({ Items: items('a') });

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x' }),
      fakeContext(),
    );

    expect(api).toHaveReceivedCommandWith(PostToConnectionCommand, {
      ConnectionId: 'a',
      Data: JSON.stringify({
        type: 'leave',
        channel: 'lobby',
        member: { clientId: 'cy', name: 'Cy', connectionId: 'c' },
      }),
    });
  });

  it('does not remove the sender when another connection is gone', async () => {
    givenConnections();
    api.on(PostToConnectionCommand, { ConnectionId: 'c' }).rejects(goneError());
    const event = messageEvent('sendmessage', { action: 'sendmessage', data: 'x' });

    await sendmessage.handler(event, fakeContext());

    expect(ddb).not.toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': event.requestContext.connectionId },
    });
  });

  it.each([
    ['throttled (429 LimitExceededException)', throttledError()],
    ['failed on the server (503)', serviceError('ServiceUnavailable', 503)],
  ])('retries a post that was %s and delivers it', async (_, error) => {
    givenConnections();
    api.on(PostToConnectionCommand, { ConnectionId: 'b' }).rejectsOnce(error).resolves({});
    const info = vi.spyOn(logging.logger, 'info');

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x' }),
      fakeContext(),
    );

    expect(postedTo(api).filter((id) => id === 'b')).toHaveLength(2);
    expect(info).toHaveBeenCalledWith('fan-out', {
      route: 'sendmessage',
      delivered: 4,
      gone: 0,
      failed: 0,
      retried: 1,
    });
  });

  it('counts a post that failed for good (403) as failed, without retrying it, and delivers the rest', async () => {
    givenConnections();
    api.on(PostToConnectionCommand, { ConnectionId: 'a' }).rejects(forbiddenError());
    const info = vi.spyOn(logging.logger, 'info');

    await sendmessage.handler(
      messageEvent('sendmessage', { action: 'sendmessage', data: 'x' }),
      fakeContext(),
    );

    expect(postedTo(api).filter((id) => id === 'a')).toHaveLength(1);
    expect(info).toHaveBeenCalledWith(
      'fan-out',
      expect.objectContaining({ delivered: 3, gone: 0, failed: 1 }),
    );
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

describe('sendmessage handler: grants', () => {
  it('refuses a broadcast from a token without the broadcast grant, with FORBIDDEN, before any work', async () => {
    givenConnections();

    const response = await sendmessage.handler(
      withGrants(messageEvent('sendmessage', { action: 'sendmessage', data: 'hi', id: 1 }), {
        channels: { '*': ['*'] },
      }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 1 });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });

  it('broadcasts for a token with the broadcast grant', async () => {
    givenConnections();

    await sendmessage.handler(
      withGrants(messageEvent('sendmessage', { action: 'sendmessage', data: 'hi' }), { broadcast: true }),
      fakeContext(),
    );

    expect(api.calls().length).toBeGreaterThan(0);
  });
});
