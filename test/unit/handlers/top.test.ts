import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bodyOf,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
  withGrants,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { InMemoryLeaderboardStore } from '../support/in-memory-store.js';
import { madeBefore } from '../support/sdk-calls.js';

const ddb = mockClient(DynamoDBDocumentClient);
let top: typeof import('../../../lambdas/handlers/top.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  top = await import('../../../lambdas/handlers/top.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(1_764_150_060_000, ddb);

const givenBoard = (version: number, ranking: { player: string; score: number }[]) => {
  ddb.on(GetCommand).resolves(version === 0 ? {} : { Item: { version } });
  ddb.on(QueryCommand).resolves({ Items: ranking });
};

const topEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('top', { action: 'top', board: 'cup', ...fields });

describe('top handler', () => {
  it("replies with the board's version and its top LEADERBOARD_SIZE (default 10), ranked, echoing the id", async () => {
    givenBoard(4, [
      { player: 'bob', score: 50 },
      { player: 'ann', score: 45 },
    ]);

    const response = await top.handler(topEvent({ id: 't' }), fakeContext());

    expect(response).toEqual({
      statusCode: 200,
      body: JSON.stringify({
        type: 'leaderboard',
        board: 'cup',
        version: 4,
        top: [
          { rank: 1, player: 'bob', score: 50 },
          { rank: 2, player: 'ann', score: 45 },
        ],
        id: 't',
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: TEST_TABLE,
      Key: { pk: 'BOARD#cup', sk: '#VERSION' },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'byRank', Limit: 10 });
    const [versionRead] = ddb.commandCalls(GetCommand);
    const [rankingRead] = ddb.commandCalls(QueryCommand);
    expect(madeBefore(versionRead, rankingRead)).toBe(true);
  });

  it('asks for the limit given', async () => {
    givenBoard(1, [{ player: 'bob', score: 50 }]);

    await top.handler(topEvent({ limit: 3 }), fakeContext());

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { Limit: 3 });
  });

  it('replies with version 0 and no entries for a board nobody scored on, without querying the ranking', async () => {
    givenBoard(0, [{ player: 'stale', score: 1 }]);

    const response = await top.handler(topEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'leaderboard', board: 'cup', version: 0, top: [] });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it.each([
    ['a bad board name', { board: 'cup#1' }, 'INVALID_CHANNEL'],
    ['a missing board', { board: undefined }, 'INVALID_REQUEST'],
    ['a limit of 0', { limit: 0 }, 'INVALID_REQUEST'],
    ['a limit of 101', { limit: 101 }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id, reading nothing', async (_, fields, code) => {
    givenBoard(1, []);

    const response = await top.handler(topEvent({ id: 2, ...fields }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 2 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR, without throwing, when DynamoDB fails', async () => {
    ddb.on(GetCommand).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await top.handler(topEvent({ id: 1 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 1 });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('makeTopHandler', () => {
  it('defaults the limit to its leaderboardSize', async () => {
    const leaderboard = new InMemoryLeaderboardStore();
    for (const [player, points] of [
      ['a', 1],
      ['b', 3],
      ['c', 2],
    ] as const) {
      await leaderboard.addPoints('cup', player, points);
      await leaderboard.nextVersion('cup');
    }
    const handler = top.makeTopHandler({ leaderboard, leaderboardSize: 2, logger: logging.logger });

    const response = await handler(topEvent());

    expect(bodyOf(response)).toEqual({
      type: 'leaderboard',
      board: 'cup',
      version: 3,
      top: [
        { rank: 1, player: 'b', score: 3 },
        { rank: 2, player: 'c', score: 2 },
      ],
    });
  });
});

describe('top handler: grants', () => {
  it('refuses a board the token does not allow reading (the history grant), with FORBIDDEN, before any read', async () => {
    givenBoard(1, []);

    const response = await top.handler(
      withGrants(topEvent({ id: 6 }), { channels: { cup: ['subscribe', 'score'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 6 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('reads the board with the history grant', async () => {
    givenBoard(1, []);

    const response = await top.handler(
      withGrants(topEvent({ id: 7 }), { channels: { cup: ['history'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'leaderboard', id: 7 });
  });
});
