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
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
  withGrants,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import {
  forbiddenError,
  goneError,
  postedFrames,
  postedTo as postedToOf,
  serviceError,
  throttledError,
} from '../support/management-api-mock.js';
import { madeBefore } from '../support/sdk-calls.js';

const NOW = 1_764_150_060_000;
const SENDER = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let publish: typeof import('../../../lambdas/handlers/publish.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  publish = await import('../../../lambdas/handlers/publish.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb, api);

const subscriberQuery = { ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':member': 'CONN#' } };

/** The channel has `pages` of subscribers; seq comes back as 7; the sender has no META item. */
const givenChannel = (...pages: string[][]) => {
  ddb.on(UpdateCommand).resolves({ Attributes: { seq: 7 } });
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  const query = ddb.on(QueryCommand, subscriberQuery);
  pages.forEach((ids, i) => {
    query.resolvesOnce({
      Items: ids.map((connectionId) => ({ connectionId })),
      ...(i < pages.length - 1 ? { LastEvaluatedKey: { pk: 'CHAN#lobby', sk: `CONN#${ids.at(-1)}` } } : {}),
    });
  });
  ddb.on(BatchWriteCommand).resolves({});
  api.on(PostToConnectionCommand).resolves({});
};

const publishEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('publish', { action: 'publish', channel: 'lobby', data: { score: 42 }, id: 7, ...fields });

const postedTo = () => postedToOf(api);

describe('publish handler', () => {
  it('sends the envelope to every subscriber across pages and acks with seq and delivered', async () => {
    givenChannel([SENDER, 'sub-a'], ['sub-b']);

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'published', channel: 'lobby', seq: 7, delivered: 3, id: 7 });
    expect(postedTo().sort()).toEqual([SENDER, 'sub-a', 'sub-b'].sort());
    const frame = JSON.stringify({
      type: 'message',
      channel: 'lobby',
      data: { score: 42 },
      from: SENDER,
      // No META item: the sender is known by its connection id.
      author: { clientId: SENDER },
      seq: 7,
      sentAt: NOW,
    });
    expect(new Set(postedFrames(api))).toEqual(new Set([frame]));
    expect(api).toHaveReceivedCommandWith(PostToConnectionCommand, { ConnectionId: 'sub-b', Data: frame });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
    });
  });

  it('logs one fan-out line with the counts', async () => {
    givenChannel(['sub-a', 'sub-b']);
    const info = vi.spyOn(logging.logger, 'info');

    await publish.handler(publishEvent(), fakeContext());

    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith('fan-out', {
      route: 'publish',
      channel: 'lobby',
      delivered: 2,
      gone: 0,
      failed: 0,
      retried: 0,
      handedOff: 0,
    });
  });

  it('removes the subscriber that is gone (not the sender) and does not count it as delivered', async () => {
    givenChannel([SENDER, 'ghost', 'sub-a']);
    api.on(PostToConnectionCommand, { ConnectionId: 'ghost' }).rejects(goneError());
    ddb
      .on(QueryCommand, { IndexName: 'byConnection' })
      .resolves({ Items: [{ pk: 'CHAN#lobby', sk: 'CONN#ghost', connectionId: 'ghost' }] });

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'published', delivered: 2 });
    const cleanups = ddb
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName === 'byConnection');
    expect(cleanups.map((call) => call.args[0].input.ExpressionAttributeValues?.[':cid'])).toEqual(['ghost']);
    expect(ddb).not.toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': SENDER },
    });
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
      .map((request) => request.DeleteRequest?.Key?.sk);
    expect(new Set(deleted)).toEqual(new Set(['META', 'CONN#ghost']));
  });

  it.each([
    ['a throttled post (429 LimitExceededException)', throttledError()],
    ['a post that failed on the server (500)', serviceError('InternalServerErrorException', 500)],
  ])('retries %s and delivers it', async (_, error) => {
    givenChannel(['busy', 'calm']);
    api.on(PostToConnectionCommand, { ConnectionId: 'busy' }).rejectsOnce(error).resolves({});

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ delivered: 2 });
    expect(postedTo().filter((id) => id === 'busy')).toHaveLength(2);
    expect(api).toHaveReceivedCommandTimes(PostToConnectionCommand, 3);
  });

  it('takes no recipient when the Lambda has no time left before its safety margin', async () => {
    givenChannel(['busy']);
    api.on(PostToConnectionCommand, { ConnectionId: 'busy' }).rejects(throttledError());

    const response = await publish.handler(publishEvent(), fakeContext(500));

    expect(bodyOf(response)).toMatchObject({ delivered: 0 });
    expect(postedTo()).toEqual([]);
  });

  it('delivers to the others when one subscriber fails, and logs the failure', async () => {
    givenChannel(['denied', 'sub-a', 'sub-b']);
    api.on(PostToConnectionCommand, { ConnectionId: 'denied' }).rejects(forbiddenError());
    const info = vi.spyOn(logging.logger, 'info');

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'published', delivered: 2 });
    expect(info).toHaveBeenCalledWith(
      'fan-out',
      expect.objectContaining({
        delivered: 2,
        failed: 1,
        firstProblem: expect.objectContaining({ connectionId: 'denied', stage: 'send' }),
      }),
    );
    // A fatal error is not retried.
    expect(postedTo().filter((id) => id === 'denied')).toHaveLength(1);
  });

  it('answers PAYLOAD_TOO_LARGE with the id before touching the counter or anyone', async () => {
    givenChannel(['sub-a']);

    // Under API Gateway's 128 KB inbound limit, but over it once wrapped in the envelope subscribers get.
    const response = await publish.handler(publishEvent({ data: 'x'.repeat(131_072 - 100) }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', id: 7 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it.each([
    ['missing data', { data: undefined }, 'INVALID_REQUEST'],
    ['a bad channel', { channel: 'a b' }, 'INVALID_CHANNEL'],
    ['a missing channel', { channel: undefined }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id', async (_, fields, code) => {
    givenChannel(['sub-a']);

    const response = await publish.handler(publishEvent(fields), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 7 });
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('answers INTERNAL_ERROR, without throwing, when the counter update fails', async () => {
    givenChannel(['sub-a']);
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 7 });
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('answers INTERNAL_ERROR when reading subscribers fails', async () => {
    givenChannel(['sub-a']);
    ddb.on(QueryCommand, subscriberQuery).rejects(new Error('InternalServerError'));

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 7 });
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('stamps the author with the client id and name the sender gave at connect', async () => {
    givenChannel(['sub-a']);
    ddb
      .on(GetCommand, { Key: { pk: `CONN#${SENDER}`, sk: 'META' } })
      .resolves({ Item: { clientId: 'device-7', name: 'Ann' } });

    await publish.handler(publishEvent(), fakeContext());

    expect(JSON.parse(postedFrames(api)[0] ?? '')).toMatchObject({
      from: SENDER,
      author: { clientId: 'device-7', name: 'Ann' },
    });
  });

  it('keeps the envelope in the history, for 24 h, before it reads the subscribers', async () => {
    givenChannel(['sub-a']);

    await publish.handler(publishEvent(), fakeContext());

    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Item: {
        pk: 'CHAN#lobby',
        sk: 'MSG#0000000000000007',
        seq: 7,
        frame: postedFrames(api)[0],
        ttl: Math.floor(NOW / 1000) + 86_400,
      },
    });
    const subscriberRead = ddb
      .commandCalls(QueryCommand)
      .find((call) => call.args[0].input.ExpressionAttributeValues?.[':pk'] === 'CHAN#lobby');
    expect(madeBefore(puts[0], subscriberRead)).toBe(true);
    // seq 7 of the 50 kept (HISTORY_SIZE's default): nothing to forget yet.
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('forgets the message HISTORY_SIZE places older once the channel has more', async () => {
    givenChannel(['sub-a']);
    ddb.on(UpdateCommand).resolves({ Attributes: { seq: 51 } });

    await publish.handler(publishEvent(), fakeContext());

    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: 'MSG#0000000000000001' },
    });
  });

  it('announces the leave of a gone subscriber in the channels where it was present', async () => {
    givenChannel(['ghost', 'sub-a']);
    api.on(PostToConnectionCommand, { ConnectionId: 'ghost' }).rejects(goneError());
    ddb
      .on(GetCommand, { Key: { pk: 'CONN#ghost', sk: 'META' } })
      .resolves({ Item: { clientId: 'ghost-client' } });
    ddb.on(QueryCommand, { IndexName: 'byConnection' }).resolves({
      Items: [
        { pk: 'CHAN#lobby', sk: 'CONN#ghost', connectionId: 'ghost' },
        { pk: 'PRES#lobby', sk: 'CONN#ghost', connectionId: 'ghost' },
      ],
    });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PRES#lobby' } }).resolves({
      Items: [{ connectionId: 'sub-a' }],
    });

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'published', delivered: 1 });
    expect(api).toHaveReceivedCommandWith(PostToConnectionCommand, {
      ConnectionId: 'sub-a',
      Data: JSON.stringify({
        type: 'leave',
        channel: 'lobby',
        member: { clientId: 'ghost-client', connectionId: 'ghost' },
      }),
    });
  });
});

describe('publish handler: grants', () => {
  it('refuses a channel the token does not allow publishing on, with FORBIDDEN, before any work', async () => {
    givenChannel([SENDER, 'sub-a']);

    const response = await publish.handler(
      withGrants(publishEvent(), { channels: { lobby: ['subscribe', 'history'], 'game-*': ['*'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'not allowed to publish on "lobby"',
      id: 7,
    });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });

  it('publishes where a prefix grant allows it', async () => {
    givenChannel([SENDER, 'sub-a']);

    const response = await publish.handler(
      withGrants(publishEvent(), { channels: { 'lob*': ['publish'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'published', channel: 'lobby', seq: 7 });
  });

  it('refuses publishing on a public channel without a grant, even with auth off', async () => {
    givenChannel([SENDER]);

    const response = await publish.handler(publishEvent({ channel: 'news' }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 7 });
    expect(ddb.calls()).toHaveLength(0);
  });
});
