import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbHistoryStore } from '../../../lambdas/adapters/dynamodb-history.js';
import { messageEnvelope } from '../../../lambdas/core/frames.js';

const TABLE = 'realtime-test';
const NOW = 1_764_150_000_900;
const ddb = mockClient(DynamoDBDocumentClient);

const makeStore = () =>
  new DynamoDbHistoryStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
    now: () => NOW,
  });

const envelope = (seq: number) =>
  messageEnvelope('lobby', { n: seq }, 'abc=', seq, 1_764_150_000_000, { clientId: 'ann', name: 'Ann' });

/** The item `keep` writes for a message. */
const itemOf = (seq: number) => ({ seq, frame: JSON.stringify(envelope(seq)) });

const sk = (seq: number) => `MSG#${String(seq).padStart(16, '0')}`;

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbHistoryStore', () => {
  describe('keep', () => {
    it('puts the exact frame under the channel, keyed by its zero-padded seq, with its ttl', async () => {
      ddb.on(PutCommand).resolves({});
      ddb.on(DeleteCommand).resolves({});

      await makeStore().keep(envelope(51), 50, 1_764_236_400);

      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          pk: 'CHAN#lobby',
          sk: 'MSG#0000000000000051',
          seq: 51,
          frame: JSON.stringify(envelope(51)),
          ttl: 1_764_236_400,
        },
      });
    });

    it('deletes the message `keep` places older once the channel has more than that', async () => {
      ddb.on(PutCommand).resolves({});
      ddb.on(DeleteCommand).resolves({});

      await makeStore().keep(envelope(51), 50, 1);

      expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 1);
      expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'CHAN#lobby', sk: sk(1) },
      });
    });

    it.each([1, 49, 50])('deletes nothing at seq %d, while the channel keeps fewer than 50', async (seq) => {
      ddb.on(PutCommand).resolves({});

      await makeStore().keep(envelope(seq), 50, 1);

      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
      expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    });

    it('fails when the put fails', async () => {
      ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
      ddb.on(DeleteCommand).resolves({});

      await expect(makeStore().keep(envelope(60), 50, 1)).rejects.toThrow(
        'ProvisionedThroughputExceededException',
      );
    });
  });

  describe('after', () => {
    it('queries one BETWEEN key condition from the next seq, consistently, skipping expired messages', async () => {
      ddb.on(QueryCommand).resolves({ Items: [itemOf(42), itemOf(43)] });

      const messages = await makeStore().after('lobby', 41, 10);

      expect(messages).toEqual([envelope(42), envelope(43)]);
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':pk': 'CHAN#lobby',
          ':now': Math.floor(NOW / 1000),
          ':from': sk(42),
          ':to': sk(Number.MAX_SAFE_INTEGER),
        },
        ScanIndexForward: true,
        Limit: 10,
        ConsistentRead: true,
      });
    });

    it('follows LastEvaluatedKey (a filtered page can come back short) and stops at the limit', async () => {
      const lastKey = { pk: 'CHAN#lobby', sk: sk(3) };
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [itemOf(2)], LastEvaluatedKey: lastKey })
        .resolvesOnce({
          Items: [itemOf(4), itemOf(5), itemOf(6)],
          LastEvaluatedKey: { pk: 'CHAN#lobby', sk: sk(6) },
        })
        .resolves({ Items: [itemOf(7)] });

      const messages = await makeStore().after('lobby', 1, 3);

      expect(messages.map((m) => m.seq)).toEqual([2, 4, 5]);
      const calls = ddb.commandCalls(QueryCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual(lastKey);
    });

    it('skips an item without a frame', async () => {
      ddb.on(QueryCommand).resolves({ Items: [{ seq: 1 }, itemOf(2)] });

      expect((await makeStore().after('lobby', 0, 5)).map((m) => m.seq)).toEqual([2]);
    });

    it('asks DynamoDB nothing for a limit of 0 (DynamoDB refuses Limit 0)', async () => {
      ddb.on(QueryCommand).resolves({ Items: [itemOf(2)] });

      expect(await makeStore().after('lobby', 1, 0)).toEqual([]);
      expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    });
  });

  describe('latest', () => {
    it('queries the MSG# items newest first, consistently, and returns them oldest first', async () => {
      ddb.on(QueryCommand).resolves({ Items: [itemOf(9), itemOf(8), itemOf(7)] });

      const messages = await makeStore().latest('lobby', 3);

      expect(messages.map((m) => m.seq)).toEqual([7, 8, 9]);
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':now': Math.floor(NOW / 1000), ':prefix': 'MSG#' },
        ScanIndexForward: false,
        Limit: 3,
        ConsistentRead: true,
      });
    });

    it('returns an empty list for a channel that keeps nothing', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });

      expect(await makeStore().latest('lobby', 5)).toEqual([]);
    });
  });

  describe('currentSequence', () => {
    it("reads the channel's #SEQ counter strongly consistent", async () => {
      ddb.on(GetCommand).resolves({ Item: { pk: 'CHAN#lobby', sk: '#SEQ', seq: 17 } });

      expect(await makeStore().currentSequence('lobby')).toBe(17);
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
        ConsistentRead: true,
      });
    });

    it.each([
      ['there is no counter', {}],
      ['the counter has no numeric seq', { Item: { seq: '17' } }],
    ])('is 0 when %s', async (_, output) => {
      ddb.on(GetCommand).resolves(output);

      expect(await makeStore().currentSequence('lobby')).toBe(0);
    });
  });
});
