import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDbLeaderboardStore,
  rankDelta,
  rankValue,
  tieBreak,
} from '../../../lambdas/adapters/dynamodb-leaderboard.js';
import { MAX_SCORE } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';

const TABLE = 'realtime-test';
const NOW = 1_764_150_000_700;
const ddb = mockClient(DynamoDBDocumentClient);

const makeStore = () =>
  new DynamoDbLeaderboardStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
    now: () => NOW,
  });

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  ddb.reset();
});

describe('the rank key', () => {
  /** Players as (score, enteredAt), in the order a leaderboard must show them. */
  const bestFirst: ReadonlyArray<readonly [number, number]> = [
    [MAX_SCORE, 1_764_150_000_000],
    [1_000, 1_764_150_000_000],
    [120, 1_000],
    [120, 1_764_150_000_000],
    [120, 1_764_150_000_001],
    [99, 1_764_150_000_000],
    [0, 1_764_150_000_000],
    [-1, 1_764_150_000_000],
    [-10, 1_764_150_000_000],
    [-MAX_SCORE, 1_764_150_000_000],
  ];

  it('orders numerically like (higher score, then who entered the board first)', () => {
    const keys = bestFirst.map(([score, at]) => rankValue(score, at));
    const sorted = [...keys].reverse().sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
    expect(sorted).toEqual(keys);
  });

  it('is what the tie of the first score plus every later delta add up to', () => {
    const enteredAt = 1_764_150_000_000;
    const total = BigInt(tieBreak(enteredAt)) + BigInt(rankDelta(50)) + BigInt(rankDelta(-8));
    expect(total).toBe(rankValue(42, enteredAt));
  });

  it('is the documented example, beyond what a JavaScript number holds exactly', () => {
    expect(tieBreak(1_764_150_000_000)).toBe('8235849999999');
    expect(rankDelta(-5)).toBe('-50000000000000');
    expect(rankValue(MAX_SCORE, 0) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('DynamoDbLeaderboardStore', () => {
  describe('addPoints', () => {
    it('moves the score and the rank key in one update, under a range condition, and returns the new score', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: 125 } });

      const score = await makeStore().addPoints('cup', 'ann', 5);

      expect(score).toBe(125);
      expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'BOARD#cup', sk: 'PLAYER#ann' },
        UpdateExpression:
          'SET score = if_not_exists(score, :zero) + :points, #rank = if_not_exists(#rank, :tie) + :rankDelta, player = :player',
        ConditionExpression: 'attribute_not_exists(score) OR score BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#rank': 'rank' },
        ExpressionAttributeValues: {
          ':zero': 0,
          ':points': 5,
          ':tie': NumberValue.from(tieBreak(NOW)),
          ':rankDelta': NumberValue.from(rankDelta(5)),
          ':player': 'ann',
          ':low': -MAX_SCORE,
          ':high': MAX_SCORE - 5,
        },
        ReturnValues: 'UPDATED_NEW',
      });
    });

    it('narrows the lower bound, not the upper, for negative points', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: -7 } });

      await makeStore().addPoints('cup', 'ann', -7);

      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
        ':low': -MAX_SCORE + 7,
        ':high': MAX_SCORE,
      });
    });

    it('turns a failed range condition into INVALID_REQUEST', async () => {
      const failure = conditionFailed();
      ddb.on(UpdateCommand).rejects(failure);

      const error = await makeStore()
        .addPoints('cup', 'ann', 1_000_000)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({
        code: 'INVALID_REQUEST',
        message: `the score of ann would leave ±${MAX_SCORE}`,
        cause: failure,
      });
      expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    });

    it('rethrows any other failure of the score update as is', async () => {
      const failure = new Error('ProvisionedThroughputExceededException');
      ddb.on(UpdateCommand).rejects(failure);

      await expect(makeStore().addPoints('cup', 'ann', 1)).rejects.toBe(failure);
    });

    it('fails when the update returns no numeric score', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: {} });

      await expect(makeStore().addPoints('cup', 'ann', 1)).rejects.toThrow(
        'UpdateItem on cup/ann returned no numeric score',
      );
      expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    });
  });

  describe('nextVersion', () => {
    it("atomically adds 1 to the board's version and returns it", async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { version: 8 } });

      expect(await makeStore().nextVersion('cup')).toBe(8);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'BOARD#cup', sk: '#VERSION' },
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      });
    });

    it('fails when the update returns no numeric version', async () => {
      ddb.on(UpdateCommand).resolves({});

      await expect(makeStore().nextVersion('cup')).rejects.toThrow(
        'UpdateItem on board cup returned no version',
      );
    });
  });

  describe('currentVersion', () => {
    it('reads the version counter strongly consistent', async () => {
      ddb.on(GetCommand).resolves({ Item: { version: 3 } });

      expect(await makeStore().currentVersion('cup')).toBe(3);
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'BOARD#cup', sk: '#VERSION' },
        ConsistentRead: true,
      });
    });

    it('is 0 for a board nobody scored on', async () => {
      ddb.on(GetCommand).resolves({});

      expect(await makeStore().currentVersion('cup')).toBe(0);
    });
  });

  describe('top', () => {
    it('queries the byRank index of the board descending, strongly consistent, with the limit', async () => {
      ddb.on(QueryCommand).resolves({
        Items: [
          { player: 'bob', score: 30 },
          { player: 'ann', score: 20 },
        ],
      });

      const entries = await makeStore().top('cup', 10);

      expect(entries).toEqual([
        { player: 'bob', score: 30 },
        { player: 'ann', score: 20 },
      ]);
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        IndexName: 'byRank',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'BOARD#cup' },
        ProjectionExpression: 'player, score',
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 10,
      });
    });

    it('follows LastEvaluatedKey until it has the limit, skipping malformed items', async () => {
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ player: 'a', score: 9 }, { player: 'b' }, { score: 7 }],
          LastEvaluatedKey: { pk: 'BOARD#cup', sk: 'PLAYER#x', rank: 'r' },
        })
        .resolvesOnce({
          Items: [
            { player: 'c', score: 6 },
            { player: 'd', score: 5 },
          ],
          LastEvaluatedKey: { pk: 'BOARD#cup', sk: 'PLAYER#d', rank: 'q' },
        })
        .resolves({ Items: [{ player: 'e', score: 4 }] });

      const entries = await makeStore().top('cup', 2);

      expect(entries.map((e) => e.player)).toEqual(['a', 'c']);
      const calls = ddb.commandCalls(QueryCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({
        pk: 'BOARD#cup',
        sk: 'PLAYER#x',
        rank: 'r',
      });
    });
  });
});
