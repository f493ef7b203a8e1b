import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbConnectionStore, UnprocessedItemsError } from '../../../lambdas/adapters/dynamodb-store.js';
import { broadcastShard } from '../../../lambdas/adapters/table-keys.js';
import { madeBefore } from '../support/sdk-calls.js';

const TABLE = 'realtime-test';
const NOW = 1_764_150_000_500;
const ddb = mockClient(DynamoDBDocumentClient);

const makeStore = (sleeps: number[] = []) =>
  new DynamoDbConnectionStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    batchRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  });

const collect = async (pages: AsyncIterable<string[]>): Promise<string[][]> => {
  const out: string[][] = [];
  for await (const page of pages) {
    out.push(page);
  }
  return out;
};

const deletedKeys = (): { pk: string; sk: string }[] =>
  ddb
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
    .map((request) => request.DeleteRequest?.Key as { pk: string; sk: string });

beforeEach(() => {
  ddb.reset();
});

afterEach(() => {
  ddb.reset();
});

describe('DynamoDbConnectionStore', () => {
  describe('putConnection', () => {
    it('writes the META item and the broadcast membership with their ttl in one batch', async () => {
      ddb.on(BatchWriteCommand).resolves({});
      const id = 'L0SM9cOFvHcCIhw=';

      await makeStore().putConnection({
        connectionId: id,
        connectedAt: NOW,
        sourceIp: '203.0.113.10',
        userAgent: 'wscat',
        expiresAt: 1_764_157_800,
        clientId: 'device-7',
        name: 'Ann',
        userId: 'ann',
      });

      const calls = ddb.commandCalls(BatchWriteCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input.RequestItems).toEqual({
        [TABLE]: [
          {
            PutRequest: {
              Item: {
                pk: `CONN#${id}`,
                sk: 'META',
                connectionId: id,
                connectedAt: NOW,
                sourceIp: '203.0.113.10',
                userAgent: 'wscat',
                clientId: 'device-7',
                name: 'Ann',
                userId: 'ann',
                ttl: 1_764_157_800,
              },
            },
          },
          {
            PutRequest: {
              Item: {
                pk: `ALL#${broadcastShard(id)}`,
                sk: `CONN#${id}`,
                connectionId: id,
                ttl: 1_764_157_800,
              },
            },
          },
        ],
      });
    });

    it('resends UnprocessedItems with backoff until they are written', async () => {
      const leftover = { PutRequest: { Item: { pk: 'ALL#1', sk: 'CONN#a' } } };
      ddb
        .on(BatchWriteCommand)
        .resolvesOnce({ UnprocessedItems: { [TABLE]: [leftover] } })
        .resolves({ UnprocessedItems: {} });
      const sleeps: number[] = [];

      await makeStore(sleeps).putConnection({
        connectionId: 'a',
        connectedAt: NOW,
        expiresAt: 1,
        clientId: 'a',
        userId: 'a',
      });

      const calls = ddb.commandCalls(BatchWriteCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.RequestItems).toEqual({ [TABLE]: [leftover] });
      expect(sleeps).toEqual([5]);
    });

    it('fails with UnprocessedItemsError when items stay unprocessed after every attempt', async () => {
      ddb
        .on(BatchWriteCommand)
        .resolves({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: { pk: 'x' } } }] } });

      await expect(
        makeStore().putConnection({
          connectionId: 'a',
          connectedAt: NOW,
          expiresAt: 1,
          clientId: 'a',
          userId: 'a',
        }),
      ).rejects.toThrow(UnprocessedItemsError);
      expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(3);
    });
  });

  describe('connectionsOf / countConnectionsOf', () => {
    it('queries the byUser index page by page and yields the connection ids', async () => {
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ connectionId: 'c1' }, { connectionId: 'c2' }],
          LastEvaluatedKey: { userId: 'alice', pk: 'CONN#c2', sk: 'META' },
        })
        .resolvesOnce({ Items: [{ connectionId: 'c3' }] });

      const pages: string[][] = [];
      for await (const page of makeStore().connectionsOf('alice')) pages.push(page);

      expect(pages).toEqual([['c1', 'c2'], ['c3']]);
      const calls = ddb.commandCalls(QueryCommand);
      expect(calls).toHaveLength(2);
      expect(calls[0]?.args[0].input).toMatchObject({
        TableName: TABLE,
        IndexName: 'byUser',
        KeyConditionExpression: '#user = :user',
        ExpressionAttributeNames: { '#user': 'userId' },
        ExpressionAttributeValues: { ':user': 'alice' },
      });
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({
        userId: 'alice',
        pk: 'CONN#c2',
        sk: 'META',
      });
    });

    it('counts with one bounded COUNT query on byUser', async () => {
      ddb.on(QueryCommand).resolves({ Count: 4 });

      const count = await makeStore().countConnectionsOf('alice', 11);

      expect(count).toBe(4);
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        IndexName: 'byUser',
        Select: 'COUNT',
        Limit: 11,
        ExpressionAttributeValues: { ':user': 'alice' },
      });
    });
  });

  describe('subscribe / unsubscribe', () => {
    it('puts the subscription item under the channel with subscribedAt and ttl', async () => {
      ddb.on(PutCommand).resolves({});

      await makeStore().subscribe('abc=', 'lobby', 1_764_157_800);

      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          pk: 'CHAN#lobby',
          sk: 'CONN#abc=',
          connectionId: 'abc=',
          subscribedAt: NOW,
          ttl: 1_764_157_800,
        },
      });
    });

    it('deletes the subscription item by its key', async () => {
      ddb.on(DeleteCommand).resolves({});

      await makeStore().unsubscribe('abc=', 'lobby');

      expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'CHAN#lobby', sk: 'CONN#abc=' },
      });
    });
  });

  describe('subscribers', () => {
    it("queries the channel partition for sk begins_with 'CONN#', consistently", async () => {
      ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'a' }] });

      await collect(makeStore().subscribers('lobby'));

      const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(input).toMatchObject({
        TableName: TABLE,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :member)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cid': 'connectionId' },
        ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':member': 'CONN#' },
        ConsistentRead: true,
      });
      expect(input?.IndexName).toBeUndefined();
      expect(input?.ExclusiveStartKey).toBeUndefined();
    });

    it('follows LastEvaluatedKey and yields one page of ids at a time', async () => {
      const lastKey = { pk: 'CHAN#lobby', sk: 'CONN#b' };
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }], LastEvaluatedKey: lastKey })
        .resolvesOnce({ Items: [{ connectionId: 'c' }] });

      const pages = await collect(makeStore().subscribers('lobby'));

      expect(pages).toEqual([['a', 'b'], ['c']]);
      const calls = ddb.commandCalls(QueryCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual(lastKey);
    });
  });

  describe('everyone', () => {
    it('queries the four ALL#<n> shards at once, paginating each', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ALL#0', ':member': 'CONN#' } })
        .resolves({ Items: [{ connectionId: 'z0' }] });
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ALL#2', ':member': 'CONN#' } })
        .resolvesOnce({ Items: [{ connectionId: 'z2a' }], LastEvaluatedKey: { pk: 'ALL#2', sk: 'CONN#z2a' } })
        .resolvesOnce({ Items: [{ connectionId: 'z2b' }] });

      const pages = await collect(makeStore().everyone());

      // Across shards pages come in arrival order; within a shard, in key order.
      expect(pages).toHaveLength(3);
      expect(pages).toEqual(expect.arrayContaining([['z0'], ['z2a'], ['z2b']]));
      expect(pages.findIndex((p) => p[0] === 'z2a')).toBeLessThan(pages.findIndex((p) => p[0] === 'z2b'));
      const calls = ddb.commandCalls(QueryCommand);
      const partitions = calls.map((call) => call.args[0].input.ExpressionAttributeValues?.[':pk']);
      expect(partitions.slice(0, 4).sort()).toEqual(['ALL#0', 'ALL#1', 'ALL#2', 'ALL#3']);
      expect(partitions[4]).toBe('ALL#2');
      expect(calls[4]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'ALL#2', sk: 'CONN#z2a' });
      expect(ddb.commandCalls(QueryCommand).some((call) => call.args[0].input.TableName !== TABLE)).toBe(
        false,
      );
    });
  });

  describe('member', () => {
    it('reads clientId and name from META, strongly consistent, projecting only those', async () => {
      ddb.on(GetCommand).resolves({ Item: { clientId: 'device-7', name: 'Ann' } });

      const member = await makeStore().member('abc=');

      expect(member).toEqual({ clientId: 'device-7', name: 'Ann', connectionId: 'abc=' });
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'CONN#abc=', sk: 'META' },
        ProjectionExpression: 'clientId, #name',
        ExpressionAttributeNames: { '#name': 'name' },
        ConsistentRead: true,
      });
    });

    it('knows a connection without META (or without a clientId) by its connection id, without a name', async () => {
      ddb
        .on(GetCommand)
        .resolvesOnce({})
        .resolvesOnce({ Item: { clientId: 5, name: null } });

      expect(await makeStore().member('abc=')).toEqual({ clientId: 'abc=', connectionId: 'abc=' });
      expect(await makeStore().member('abc=')).toEqual({ clientId: 'abc=', connectionId: 'abc=' });
    });
  });

  describe('removeConnection', () => {
    const gsiItems = (count: number, from = 0) =>
      Array.from({ length: count }, (_, i) => ({
        pk: `CHAN#c${from + i}`,
        sk: 'CONN#abc=',
        connectionId: 'abc=',
      }));

    beforeEach(() => {
      ddb.on(GetCommand).resolves({ Item: { clientId: 'device-7', name: 'Ann' } });
    });

    it('reads who it was from META before deleting anything', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(BatchWriteCommand).resolves({});

      const removed = await makeStore().removeConnection('abc=');

      expect(removed.member).toEqual({ clientId: 'device-7', name: 'Ann', connectionId: 'abc=' });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'CONN#abc=', sk: 'META' } });
      const get = ddb.commandCalls(GetCommand)[0];
      const batch = ddb.commandCalls(BatchWriteCommand)[0];
      expect(madeBefore(get, batch)).toBe(true);
    });

    it('reports the channels where it was present, from the PRES# items it deleted', async () => {
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [
            { pk: 'PRES#lobby', sk: 'CONN#abc=', connectionId: 'abc=' },
            { pk: 'CHAN#lobby', sk: 'CONN#abc=', connectionId: 'abc=' },
          ],
          LastEvaluatedKey: { connectionId: 'abc=', pk: 'CHAN#lobby', sk: 'CONN#abc=' },
        })
        .resolvesOnce({ Items: [{ pk: 'PRES#games/1', sk: 'CONN#abc=', connectionId: 'abc=' }] });
      ddb.on(BatchWriteCommand).resolves({});

      const removed = await makeStore().removeConnection('abc=');

      expect(removed.presenceChannels).toEqual(['lobby', 'games/1']);
      expect(deletedKeys()).toContainEqual({ pk: 'PRES#lobby', sk: 'CONN#abc=' });
      expect(deletedKeys()).toContainEqual({ pk: 'PRES#games/1', sk: 'CONN#abc=' });
    });

    it('reports no presence channel for a connection present nowhere', async () => {
      ddb.on(QueryCommand).resolves({ Items: gsiItems(2) });
      ddb.on(BatchWriteCommand).resolves({});

      const removed = await makeStore().removeConnection('abc=');

      expect(removed.presenceChannels).toEqual([]);
    });

    it('propagates a failure to read META, deleting nothing', async () => {
      ddb.on(GetCommand).rejects(new Error('InternalServerError'));
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(BatchWriteCommand).resolves({});

      await expect(makeStore().removeConnection('abc=')).rejects.toThrow('InternalServerError');
      expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
    });

    it('queries the byConnection index for that connection', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(BatchWriteCommand).resolves({});

      await makeStore().removeConnection('abc=');

      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
        TableName: TABLE,
        IndexName: 'byConnection',
        KeyConditionExpression: '#cid = :cid',
        ExpressionAttributeNames: { '#cid': 'connectionId' },
        ExpressionAttributeValues: { ':cid': 'abc=' },
      });
    });

    it('deletes every indexed item page by page in batches of at most 25, plus META and the membership once', async () => {
      const shardKey = { pk: `ALL#${broadcastShard('abc=')}`, sk: 'CONN#abc=' };
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [
            { pk: 'CONN#abc=', sk: 'META', connectionId: 'abc=' },
            { ...shardKey, connectionId: 'abc=' },
            ...gsiItems(28),
          ],
          LastEvaluatedKey: { connectionId: 'abc=', pk: 'CHAN#c27', sk: 'CONN#abc=' },
        })
        .resolvesOnce({ Items: gsiItems(30, 28) });
      ddb.on(BatchWriteCommand).resolves({});

      await makeStore().removeConnection('abc=');

      expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
        connectionId: 'abc=',
        pk: 'CHAN#c27',
        sk: 'CONN#abc=',
      });
      const batchSizes = ddb
        .commandCalls(BatchWriteCommand)
        .map((call) => call.args[0].input.RequestItems?.[TABLE]?.length);
      expect(batchSizes).toEqual([25, 25, 10]);
      const deleted = deletedKeys();
      expect(deleted).toHaveLength(60);
      expect(new Set(deleted.map((k) => `${k.pk}|${k.sk}`)).size).toBe(60);
      expect(deleted).toContainEqual({ pk: 'CONN#abc=', sk: 'META' });
      expect(deleted).toContainEqual(shardKey);
      expect(deleted).toContainEqual({ pk: 'CHAN#c57', sk: 'CONN#abc=' });
    });

    it('still deletes META and the membership when the index has not caught up yet', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(BatchWriteCommand).resolves({});

      await makeStore().removeConnection('abc=');

      expect(deletedKeys()).toEqual([
        { pk: 'CONN#abc=', sk: 'META' },
        { pk: `ALL#${broadcastShard('abc=')}`, sk: 'CONN#abc=' },
      ]);
    });

    it('resends unprocessed deletes', async () => {
      ddb.on(QueryCommand).resolves({ Items: gsiItems(3) });
      const leftover = { DeleteRequest: { Key: { pk: 'CHAN#c1', sk: 'CONN#abc=' } } };
      ddb
        .on(BatchWriteCommand)
        .resolvesOnce({ UnprocessedItems: { [TABLE]: [leftover] } })
        .resolves({});

      await makeStore().removeConnection('abc=');

      const calls = ddb.commandCalls(BatchWriteCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.RequestItems?.[TABLE]).toEqual([leftover]);
    });

    it('propagates a query failure', async () => {
      ddb.on(QueryCommand).rejects(new Error('ProvisionedThroughputExceededException'));

      await expect(makeStore().removeConnection('abc=')).rejects.toThrow(
        'ProvisionedThroughputExceededException',
      );
    });
  });

  describe('nextSequence', () => {
    it('atomically adds 1 to seq, refreshes ttl to 24 h (the kept history) and returns the new value', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { seq: 7, ttl: 1 } });

      const seq = await makeStore().nextSequence('lobby');

      expect(seq).toBe(7);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
        UpdateExpression: 'ADD #seq :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#seq': 'seq', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': Math.floor(NOW / 1000) + 86_400 },
        ReturnValues: 'UPDATED_NEW',
      });
    });

    it('fails when DynamoDB returns no numeric seq', async () => {
      ddb.on(UpdateCommand).resolves({});

      await expect(makeStore().nextSequence('lobby')).rejects.toThrow('no numeric seq');
    });
  });
});
