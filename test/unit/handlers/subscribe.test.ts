import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { messageEnvelope } from '../../../lambdas/core/frames.js';
import { SEND_RETRY_BUDGET } from '../../../lambdas/core/retry-budget.js';
import { testFanOutOptions } from '../support/fan-out-options.js';
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
import { inMemoryStores } from '../support/in-memory-store.js';
import { postedFrames, postedTo } from '../support/management-api-mock.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';
import { madeBefore } from '../support/sdk-calls.js';

const NOW = 1_764_150_060_000;
const ME = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let subscribe: typeof import('../../../lambdas/handlers/subscribe.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  subscribe = await import('../../../lambdas/handlers/subscribe.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb, api);

const message = (seq: number) =>
  messageEnvelope('lobby', `m${seq}`, 'pub', seq, NOW - 1_000, { clientId: 'pub' });
const keptItem = (seq: number) => ({ seq, frame: JSON.stringify(message(seq)) });

/** The table as the subscribe handler reads it: the channel's seq, kept messages, the board and presence. */
const givenTable = (
  state: {
    seq?: number;
    /** Kept messages, newest first (as a descending query returns them). */
    newestFirst?: number[];
    /** Kept messages after the `since` asked for, oldest first. */
    after?: number[];
    version?: number;
    ranking?: { player: string; score: number }[];
    present?: string[];
    me?: { clientId: string; name?: string };
  } = {},
) => {
  ddb.on(PutCommand).resolves({});
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  if (state.seq !== undefined) {
    ddb.on(GetCommand, { Key: { pk: 'CHAN#lobby', sk: '#SEQ' } }).resolves({ Item: { seq: state.seq } });
  }
  if (state.version !== undefined) {
    ddb
      .on(GetCommand, { Key: { pk: 'BOARD#lobby', sk: '#VERSION' } })
      .resolves({ Item: { version: state.version } });
  }
  if (state.me !== undefined) {
    ddb.on(GetCommand, { Key: { pk: `CONN#${ME}`, sk: 'META' } }).resolves({ Item: state.me });
  }
  ddb
    .on(QueryCommand, { ExpressionAttributeValues: { ':prefix': 'MSG#' } })
    .resolves({ Items: (state.newestFirst ?? []).map(keptItem) });
  ddb.on(QueryCommand, { KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to' }).resolves({
    Items: (state.after ?? []).map(keptItem),
  });
  ddb.on(QueryCommand, { IndexName: 'byRank' }).resolves({ Items: state.ranking ?? [] });
  ddb
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PRES#lobby' } })
    .resolves({ Items: (state.present ?? []).map((connectionId) => ({ connectionId })) });
  api.on(PostToConnectionCommand).resolves({});
};

const subscribeEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('subscribe', { action: 'subscribe', channel: 'lobby', ...fields });

const queriesOf = (match: (input: Record<string, unknown>) => boolean) =>
  ddb.commandCalls(QueryCommand).filter((call) => match(call.args[0].input as Record<string, unknown>));

describe('subscribe handler', () => {
  it('stores the subscription, expiring with the connection, and acks with the seq and the id', async () => {
    givenTable();

    const response = await subscribe.handler(subscribeEvent({ id: 1 }), fakeContext());

    expect(response).toEqual({
      statusCode: 200,
      body: '{"type":"subscribed","channel":"lobby","seq":0,"id":1}',
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Item: {
        pk: 'CHAN#lobby',
        sk: `CONN#${ME}`,
        connectionId: ME,
        subscribedAt: NOW,
        // the fixture's connectedAt (1764150000000 ms) + 2 h 10 min
        ttl: 1_764_150_000 + 7_800,
      },
      // Tells a new subscription from a refreshed one, which must not be counted twice.
      ReturnValues: 'ALL_OLD',
    });
  });

  it("acks with the channel's latest seq, read strongly consistent after the subscription was written", async () => {
    givenTable({ seq: 41 });

    const response = await subscribe.handler(subscribeEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'subscribed', channel: 'lobby', seq: 41 });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
      ConsistentRead: true,
    });
    const put = ddb.commandCalls(PutCommand)[0];
    const seqRead = ddb.commandCalls(GetCommand).find((call) => call.args[0].input.Key?.sk === '#SEQ');
    expect(madeBefore(put, seqRead)).toBe(true);
    // Nothing else was asked for: no history query, no presence.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('with history: true, acks with the newest HISTORY_SIZE (default 50) kept messages, oldest first', async () => {
    givenTable({ seq: 9, newestFirst: [9, 8, 7] });

    const response = await subscribe.handler(subscribeEvent({ history: true, id: 'h' }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 9,
      messages: [message(7), message(8), message(9)],
      id: 'h',
    });
    const [latest] = queriesOf((input) => input.ScanIndexForward === false && input.IndexName === undefined);
    expect(latest?.args[0].input).toMatchObject({ Limit: 50, ConsistentRead: true });
  });

  it('with history: 2, asks for 2', async () => {
    givenTable({ seq: 9, newestFirst: [9, 8] });

    const response = await subscribe.handler(subscribeEvent({ history: 2 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ messages: [message(8), message(9)] });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { Limit: 2, ScanIndexForward: false });
  });

  it('with since, acks with the messages missed after it and recovered: true', async () => {
    givenTable({ seq: 42, after: [41, 42] });

    const response = await subscribe.handler(subscribeEvent({ since: 40 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 42,
      messages: [message(41), message(42)],
      recovered: true,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':from': 'MSG#0000000000000041' }),
      Limit: 50,
    });
  });

  it('with since, acks recovered: false when the first missed message is no longer kept', async () => {
    givenTable({ seq: 90, after: [60, 61] });

    const response = await subscribe.handler(subscribeEvent({ since: 10 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ seq: 90, recovered: false });
  });

  it('with since beyond the seq (the channel restarted), acks recovered: false without reading messages', async () => {
    givenTable({ seq: 3 });

    const response = await subscribe.handler(subscribeEvent({ since: 41 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 3,
      messages: [],
      recovered: false,
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("includes the board's snapshot (LEADERBOARD_SIZE, default 10) when the channel is a board with scores", async () => {
    givenTable({
      version: 3,
      ranking: [
        { player: 'bob', score: 30 },
        { player: 'ann', score: 20 },
      ],
    });

    const response = await subscribe.handler(subscribeEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 0,
      leaderboard: {
        type: 'leaderboard',
        board: 'lobby',
        version: 3,
        top: [
          { rank: 1, player: 'bob', score: 30 },
          { rank: 2, player: 'ann', score: 20 },
        ],
      },
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byRank',
      ExpressionAttributeValues: { ':pk': 'BOARD#lobby' },
      Limit: 10,
      ScanIndexForward: false,
      ConsistentRead: true,
    });
  });

  it('with presence: true, enters the presence as the client it is and announces the join to those present', async () => {
    givenTable({ present: [ME, 'other'], me: { clientId: 'device-7', name: 'Ann' } });

    const response = await subscribe.handler(subscribeEvent({ presence: true, id: 2 }), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'subscribed', channel: 'lobby', seq: 0, id: 2 });
    const member = { clientId: 'device-7', name: 'Ann', connectionId: ME };
    expect(ddb.commandCalls(PutCommand)[1]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Item: { pk: 'PRES#lobby', sk: `CONN#${ME}`, ...member, ttl: 1_764_150_000 + 7_800 },
    });
    expect(postedTo(api).sort()).toEqual([ME, 'other'].sort());
    expect(new Set(postedFrames(api))).toEqual(
      new Set([JSON.stringify({ type: 'join', channel: 'lobby', member })]),
    );
  });

  it('without presence, posts nothing and writes no presence item', async () => {
    givenTable({ present: ['other'] });

    await subscribe.handler(subscribeEvent({ presence: false }), fakeContext());

    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it.each([
    ['an empty channel', { channel: '' }, 'INVALID_CHANNEL'],
    ['a channel with a space', { channel: 'lobby room' }, 'INVALID_CHANNEL'],
    ['a 129-character channel', { channel: 'c'.repeat(129) }, 'INVALID_CHANNEL'],
    ['a missing channel', { channel: undefined }, 'INVALID_REQUEST'],
    ['a numeric channel', { channel: 7 }, 'INVALID_REQUEST'],
    ['a history of 0', { history: 0 }, 'INVALID_REQUEST'],
    ['a negative since', { since: -1 }, 'INVALID_REQUEST'],
    ['a presence that is not a boolean', { presence: 'yes' }, 'INVALID_REQUEST'],
  ])('answers %s with %s, echoing the id, and writes nothing', async (_, fields, code) => {
    givenTable();

    const response = await subscribe.handler(subscribeEvent({ id: 'q', ...fields }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 'q' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR with the id, without throwing, when DynamoDB fails', async () => {
    givenTable();
    ddb.on(PutCommand).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await subscribe.handler(subscribeEvent({ id: 5 }), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 5 });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('makeSubscribeHandler', () => {
  const deps = (limits: { historySize: number; leaderboardSize: number }) => {
    const stores = inMemoryStores();
    const messenger = new ScriptedMessenger();
    const { concurrency, retry, now, sleep, random } = testFanOutOptions();
    return {
      stores,
      handler: subscribe.makeSubscribeHandler({
        ports: { ...stores, messenger },
        limits,
        logger: logging.logger,
        fanOut: {
          concurrency,
          retry,
          now,
          sleep,
          random,
          retryBudget: SEND_RETRY_BUDGET,
          postTimeoutMs: 5_000,
        },
      }),
    };
  };

  it('caps a history count at its historySize and the snapshot at its leaderboardSize', async () => {
    const { stores, handler } = deps({ historySize: 2, leaderboardSize: 1 });
    for (let seq = 1; seq <= 4; seq += 1) {
      await stores.store.nextSequence('lobby');
      await stores.history.keep(message(seq), 10, 1);
    }
    await stores.leaderboard.addPoints('lobby', 'ann', 3);
    await stores.leaderboard.addPoints('lobby', 'bob', 5);
    await stores.leaderboard.nextVersion('lobby');

    const response = await handler(subscribeEvent({ history: 50 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 4,
      messages: [message(3), message(4)],
      leaderboard: {
        type: 'leaderboard',
        board: 'lobby',
        version: 1,
        top: [{ rank: 1, player: 'bob', score: 5 }],
      },
    });
  });

  it('resumes as not recovered on a channel that keeps no history', async () => {
    const { stores, handler } = deps({ historySize: 0, leaderboardSize: 10 });
    await stores.store.nextSequence('lobby');
    await stores.store.nextSequence('lobby');

    const response = await handler(subscribeEvent({ since: 1 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 2,
      messages: [],
      recovered: false,
    });
  });
});

describe('subscribe handler: grants', () => {
  it('refuses a channel the token does not allow subscribing to, with FORBIDDEN, before any work', async () => {
    givenTable({ seq: 3 });

    const response = await subscribe.handler(
      withGrants(subscribeEvent({ id: 1 }), { channels: { lobby: ['publish'], other: ['*'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'not allowed to subscribe on "lobby"',
      id: 1,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses presence without the presence grant, even when subscribing is allowed', async () => {
    givenTable({ seq: 3 });

    const response = await subscribe.handler(
      withGrants(subscribeEvent({ presence: true, id: 2 }), { channels: { lobby: ['subscribe'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'not allowed to presence on "lobby"',
      id: 2,
    });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });

  it('subscribes with the grants it needs', async () => {
    givenTable({ seq: 3 });

    const response = await subscribe.handler(
      withGrants(subscribeEvent({ presence: true, id: 3 }), {
        channels: { 'lob*': ['subscribe', 'presence'] },
      }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'subscribed', channel: 'lobby', id: 3 });
  });

  it('lets a token without grants subscribe to a public channel', async () => {
    givenTable();

    const response = await subscribe.handler(
      withGrants(subscribeEvent({ channel: 'public-1', id: 4 }), {}),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'subscribed', channel: 'public-1', id: 4 });
  });
});
