import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLeaderboardStore, rankKey } from '../../../lambdas/adapters/dynamodb-leaderboard.js';
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

const RANK_UPDATE = { UpdateExpression: 'SET #rank = :rank' };

beforeEach(() => {
  ddb.reset();
});

describe('rankKey', () => {
  /** Players as (score, reachedAt, player), in the order a leaderboard must show them. */
  const bestFirst: ReadonlyArray<readonly [number, number, string]> = [
    [MAX_SCORE, 1_764_150_000_000, 'max'],
    [1_000, 1_764_150_000_000, 'k'],
    [120, 1_000, 'early'],
    [120, 1_764_150_000_000, 'mid'],
    [120, 1_764_150_000_001, 'late'],
    [100, 1_764_150_000_000, 'hundred'],
    [99, 1_764_150_000_000, 'ninety-nine'],
    [9, 1_764_150_000_000, 'nine'],
    [1, 1_764_150_000_000, 'one'],
    [0, 1_764_150_000_000, 'zero'],
    [-1, 1_764_150_000_000, 'minus-one'],
    [-9, 1_764_150_000_000, 'minus-nine'],
    [-10, 1_764_150_000_000, 'minus-ten'],
    [-1_000_000, 1_764_150_000_000, 'minus-million'],
    [-MAX_SCORE, 1_764_150_000_000, 'min'],
  ];

  it('sorts, as strings, descending, like (higher score, then earlier time)', () => {
    const keys = bestFirst.map(([score, at, player]) => rankKey(score, at, player));
    const shuffled = [...keys].reverse();

    // Descending string order, as a `ScanIndexForward: false` query on the index returns them.
    const sorted = shuffled.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

    expect(sorted).toEqual(keys);
  });

  it('puts a higher score above a lower one whatever the digits or the times', () => {
    expect(rankKey(10, NOW, 'a') > rankKey(9, 0, 'z')).toBe(true);
    expect(rankKey(-9, NOW, 'a') > rankKey(-10, 0, 'z')).toBe(true);
    expect(rankKey(0, NOW, 'a') > rankKey(-1, 0, 'z')).toBe(true);
  });

  it('puts the player who reached an equal score first above the other', () => {
    expect(rankKey(50, 1_000, 'zed') > rankKey(50, 2_000, 'amy')).toBe(true);
  });

  it('is fixed width up to the player id', () => {
    const widths = bestFirst.map(([score, at]) => rankKey(score, at, '').length);

    expect(new Set(widths)).toEqual(new Set([13 + 1 + 13 + 1]));
  });

  it('is the documented example', () => {
    expect(rankKey(120, 1_764_150_000_000, 'alice')).toBe('1000000000119#8235849999999#alice');
  });
});

describe('DynamoDbLeaderboardStore', () => {
  describe('addPoints', () => {
    it('ADDs the points under a range condition and returns the new score', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: 125 } });

      const score = await makeStore().addPoints('cup', 'ann', 5);

      expect(score).toBe(125);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'BOARD#cup', sk: 'PLAYER#ann' },
        UpdateExpression: 'ADD score :points SET player = :player',
        ConditionExpression: 'attribute_not_exists(score) OR score BETWEEN :low AND :high',
        ExpressionAttributeValues: {
          ':points': 5,
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

    it('then sets the rank key for the new score, conditional on that score', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: 125 } });

      await makeStore().addPoints('cup', 'ann', 5);

      const calls = ddb.commandCalls(UpdateCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'BOARD#cup', sk: 'PLAYER#ann' },
        UpdateExpression: 'SET #rank = :rank',
        ConditionExpression: 'score = :score',
        ExpressionAttributeNames: { '#rank': 'rank' },
        ExpressionAttributeValues: { ':rank': rankKey(125, NOW, 'ann'), ':score': 125 },
      });
    });

    it('turns a failed range condition into INVALID_REQUEST, writing no rank key', async () => {
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

    it('swallows a failed rank condition: a newer score landed, and its writer sets the rank key', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: 40 } });
      ddb.on(UpdateCommand, RANK_UPDATE).rejects(conditionFailed());

      await expect(makeStore().addPoints('cup', 'ann', 10)).resolves.toBe(40);
    });

    it('rethrows any other failure of the rank update', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { score: 40 } });
      ddb.on(UpdateCommand, RANK_UPDATE).rejects(new Error('InternalServerError'));

      await expect(makeStore().addPoints('cup', 'ann', 10)).rejects.toThrow('InternalServerError');
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
