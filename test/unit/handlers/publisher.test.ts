import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeContext, stubStackEnv } from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { postedFrames, postedTo } from '../support/management-api-mock.js';

const NOW = 1_764_150_080_000;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let publisher: typeof import('../../../lambdas/handlers/publisher.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  publisher = await import('../../../lambdas/handlers/publisher.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb, api);

/** Channel lobby has subscribers s1, s2 and seq comes back 8; user alice has a1. */
const givenTable = () => {
  ddb.on(UpdateCommand).resolves({ Attributes: { seq: 8 } });
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':member': 'CONN#' } })
    .resolves({ Items: [{ connectionId: 's1' }, { connectionId: 's2' }] });
  ddb.on(QueryCommand, { IndexName: 'byUser' }).resolves({ Items: [{ connectionId: 'a1' }] });
  api.on(PostToConnectionCommand).resolves({});
};

describe('publisher handler', () => {
  it('publishes to a channel like a client publish, authored by the server, and returns seq and counts', async () => {
    givenTable();

    const result = await publisher.handler({ channel: 'lobby', data: { hello: 'world' } }, fakeContext());

    expect(result).toEqual({ seq: 8, delivered: 2, gone: 0, failed: 0 });
    expect(postedTo(api).sort()).toEqual(['s1', 's2']);
    const envelope = {
      type: 'message',
      channel: 'lobby',
      data: { hello: 'world' },
      from: 'server',
      author: { clientId: 'server' },
      seq: 8,
      sentAt: NOW,
    };
    expect(new Set(postedFrames(api))).toEqual(new Set([JSON.stringify(envelope)]));
    // Kept in the history, like any publish; no META read for a server author.
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'CHAN#lobby' }),
    });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('sends a direct frame without fromUser to every connection of a user', async () => {
    givenTable();

    const result = await publisher.handler({ user: 'alice', data: 'hi' }, fakeContext());

    expect(result).toEqual({ delivered: 1, gone: 0, failed: 0 });
    expect(postedFrames(api)).toEqual([
      JSON.stringify({ type: 'direct', from: 'server', data: 'hi', sentAt: NOW }),
    ]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it.each([
    [
      'not an object',
      'lobby',
      'INVALID_REQUEST',
      'the payload must be a JSON object: { channel | user, data }',
    ],
    ['an array', [1], 'INVALID_REQUEST', 'the payload must be a JSON object: { channel | user, data }'],
    ['neither target', { data: 1 }, 'INVALID_REQUEST', 'give exactly one of channel and user'],
    [
      'both targets',
      { channel: 'a', user: 'b', data: 1 },
      'INVALID_REQUEST',
      'give exactly one of channel and user',
    ],
    ['no data', { channel: 'lobby' }, 'INVALID_REQUEST', 'data is required'],
    [
      'a bad channel',
      { channel: 'a b', data: 1 },
      'INVALID_CHANNEL',
      'channel may only contain A-Z a-z 0-9 _ - . : @ /',
    ],
    [
      'a bad user',
      { user: 'a b', data: 1 },
      'INVALID_REQUEST',
      'user must be 1-128 of A-Z a-z 0-9 _ . @ : -',
    ],
  ])('answers %s with an error object, touching nothing', async (_, input, error, message) => {
    givenTable();
    vi.spyOn(logging.logger, 'warn').mockImplementation(() => undefined);

    const result = await publisher.handler(input, fakeContext());

    expect(result).toEqual({ error, message });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });

  it('answers PAYLOAD_TOO_LARGE before the channel counter moves', async () => {
    givenTable();
    vi.spyOn(logging.logger, 'warn').mockImplementation(() => undefined);

    const result = await publisher.handler({ channel: 'lobby', data: 'x'.repeat(131_072) }, fakeContext());

    expect(result).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('throws when DynamoDB fails, so the invoker sees a function error', async () => {
    givenTable();
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(publisher.handler({ channel: 'lobby', data: 1 }, fakeContext())).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });
});

describe('publisher handler with the fan-out queue', () => {
  it('says when the queue took the delivery, for a channel and for a user', async () => {
    const { ArrayRecipientPages, RecordingQueue } = await import('../support/fake-fan-out-queue.js');
    const { inMemoryStores } = await import('../support/in-memory-store.js');
    const { ScriptedMessenger } = await import('../support/scripted-messenger.js');
    const { testFanOutSettings } = await import('../support/fan-out-options.js');
    const stores = inMemoryStores();
    const queue = new RecordingQueue();
    const pages = new ArrayRecipientPages().set({ channel: 'lobby' }, ['s1']).set({ user: 'alice' }, ['a1']);
    const plan = { queue, pages, inlineLimit: 0, sliceSize: 10, route: 'publisher' };
    const handle = publisher.makePublisherHandler({
      ports: { ...stores, messenger: new ScriptedMessenger(), fanOutQueue: plan },
      historySize: 0,
      logger: logging.logger,
      fanOut: testFanOutSettings(),
      queue: plan,
    });

    const toChannel = await handle({ channel: 'lobby', data: 1 }, fakeContext());
    const toUser = await handle({ user: 'alice', data: 2 }, fakeContext());

    expect(toChannel).toEqual({ seq: 1, delivered: 0, gone: 0, failed: 0, fanout: 'queued' });
    expect(toUser).toEqual({ delivered: 0, gone: 0, failed: 0, fanout: 'queued' });
    expect(queue.slices.map((slice) => (slice.kind === 'post' ? slice.ids : []))).toEqual([['s1'], ['a1']]);
  });
});
