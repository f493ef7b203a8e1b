import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testFanOutOptions } from '../support/fan-out-options.js';
import {
  bodyOf,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
  withGrants,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { inMemoryStores } from '../support/in-memory-store.js';
import { goneError, postedFrames, postedTo } from '../support/management-api-mock.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';
import { madeBefore } from '../support/sdk-calls.js';

const NOW = 1_764_150_060_000;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let score: typeof import('../../../lambdas/handlers/score.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  score = await import('../../../lambdas/handlers/score.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb, api);

const SCORE_UPDATE = {
  UpdateExpression:
    'SET score = if_not_exists(score, :zero) + :points, #rank = if_not_exists(#rank, :tie) + :rankDelta, player = :player',
};
const VERSION_UPDATE = { UpdateExpression: 'ADD version :one' };

/** The board `cup`: ann's new total, the version it produces, the ranking and the board's viewers. */
const givenBoard = (viewers: string[] = ['v1', 'v2']) => {
  ddb.on(UpdateCommand).resolves({});
  ddb.on(UpdateCommand, SCORE_UPDATE).resolves({ Attributes: { score: 45 } });
  ddb.on(UpdateCommand, VERSION_UPDATE).resolves({ Attributes: { version: 6 } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(QueryCommand, { IndexName: 'byRank' }).resolves({
    Items: [
      { player: 'bob', score: 50 },
      { player: 'ann', score: 45 },
    ],
  });
  ddb
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'CHAN#cup' } })
    .resolves({ Items: viewers.map((connectionId) => ({ connectionId })) });
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  api.on(PostToConnectionCommand).resolves({});
};

const scoreEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('score', { action: 'score', board: 'cup', player: 'ann', points: 5, id: 'k', ...fields });

const snapshot = JSON.stringify({
  type: 'leaderboard',
  board: 'cup',
  version: 6,
  top: [
    { rank: 1, player: 'bob', score: 50 },
    { rank: 2, player: 'ann', score: 45 },
  ],
});

describe('score handler', () => {
  it("acks with the player's new score and the version, and pushes that version's top to the board's viewers", async () => {
    givenBoard();

    const response = await score.handler(scoreEvent(), fakeContext());

    expect(response).toEqual({
      statusCode: 200,
      body: '{"type":"scored","board":"cup","player":"ann","score":45,"version":6,"id":"k"}',
    });
    expect(postedTo(api).sort()).toEqual(['v1', 'v2']);
    expect(new Set(postedFrames(api))).toEqual(new Set([snapshot]));
  });

  it('writes the score, its rank key and the version, in that order, then reads the top LEADERBOARD_SIZE', async () => {
    givenBoard();

    await score.handler(scoreEvent({ points: -3 }), fakeContext());

    const updates = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((input) => input.UpdateExpression)).toEqual([
      SCORE_UPDATE.UpdateExpression,
      VERSION_UPDATE.UpdateExpression,
    ]);
    expect(updates[0]).toMatchObject({
      TableName: TEST_TABLE,
      Key: { pk: 'BOARD#cup', sk: 'PLAYER#ann' },
      ExpressionAttributeValues: expect.objectContaining({ ':points': -3 }),
    });
    expect(updates[1]?.Key).toEqual({ pk: 'BOARD#cup', sk: '#VERSION' });
    const version = ddb
      .commandCalls(UpdateCommand)
      .find((call) => call.args[0].input.UpdateExpression === VERSION_UPDATE.UpdateExpression);
    const ranking = ddb.commandCalls(QueryCommand).find((call) => call.args[0].input.IndexName === 'byRank');
    expect(madeBefore(version, ranking)).toBe(true);
    expect(ranking?.args[0].input).toMatchObject({
      Limit: 10,
      ConsistentRead: true,
      ScanIndexForward: false,
    });
  });

  it('logs one fan-out line with the board and the counts', async () => {
    givenBoard(['v1', 'ghost']);
    api.on(PostToConnectionCommand, { ConnectionId: 'ghost' }).rejects(goneError());
    const info = vi.spyOn(logging.logger, 'info');

    await score.handler(scoreEvent(), fakeContext());

    expect(info).toHaveBeenCalledWith('fan-out', {
      route: 'score',
      board: 'cup',
      delivered: 1,
      gone: 1,
      failed: 0,
      retried: 0,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': 'ghost' },
    });
  });

  it('answers a score that would leave its range with INVALID_REQUEST and the id, bumping no version', async () => {
    givenBoard();
    ddb
      .on(UpdateCommand, SCORE_UPDATE)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const response = await score.handler(scoreEvent({ points: 1_000_000 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'INVALID_REQUEST',
      message: 'the score of ann would leave ±999999999999',
      id: 'k',
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it.each([
    ['a bad board name', { board: 'a b' }, 'INVALID_CHANNEL'],
    ['a missing board', { board: undefined }, 'INVALID_REQUEST'],
    ['a bad player id', { player: 'a/b' }, 'INVALID_REQUEST'],
    ['fractional points', { points: 2.5 }, 'INVALID_REQUEST'],
    ['too many points', { points: 1_000_001 }, 'INVALID_REQUEST'],
    ['missing points', { points: undefined }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id, writing nothing', async (_, fields, code) => {
    givenBoard();

    const response = await score.handler(scoreEvent(fields), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 'k' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR, without throwing, when DynamoDB fails', async () => {
    givenBoard();
    ddb.on(UpdateCommand, VERSION_UPDATE).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await score.handler(scoreEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 'k' });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });
});

describe('makeScoreHandler', () => {
  it('pushes snapshots of its leaderboardSize entries', async () => {
    const { store, leaderboard } = inMemoryStores();
    await store.subscribe('viewer', 'cup', 1);
    await leaderboard.addPoints('cup', 'bob', 50);
    const messenger = new ScriptedMessenger();
    const { concurrency, retry, now, sleep, random } = testFanOutOptions();
    const handler = score.makeScoreHandler({
      ports: { store, leaderboard, messenger, afterRemoval: async () => undefined },
      leaderboardSize: 1,
      logger: logging.logger,
      fanOut: { concurrency, retry, now, sleep, random },
    });

    const response = await handler(scoreEvent({ points: 60 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'scored',
      board: 'cup',
      player: 'ann',
      score: 60,
      version: 1,
      id: 'k',
    });
    expect(JSON.parse(messenger.sent[0]?.frame ?? '')).toEqual({
      type: 'leaderboard',
      board: 'cup',
      version: 1,
      top: [{ rank: 1, player: 'ann', score: 60 }],
    });
  });
});

describe('score handler: grants', () => {
  it('refuses a board the token does not allow scoring on, with FORBIDDEN, before any write', async () => {
    givenBoard();

    const response = await score.handler(
      withGrants(scoreEvent({ id: 3 }), {
        channels: { cup: ['subscribe', 'publish', 'history', 'presence'] },
      }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 3 });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });
});
