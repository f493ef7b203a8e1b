import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbPresenceStore } from '../../../lambdas/adapters/dynamodb-presence.js';

const TABLE = 'realtime-test';
const ddb = mockClient(DynamoDBDocumentClient);

const makeStore = () =>
  new DynamoDbPresenceStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
  });

const collect = async <T>(pages: AsyncIterable<T[]>): Promise<T[][]> => {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
};

const presenceQuery = {
  TableName: TABLE,
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
  ExpressionAttributeValues: { ':pk': 'PRES#lobby', ':member': 'CONN#', ':now': expect.any(Number) },
  FilterExpression: '#ttl > :now',
  ConsistentRead: true,
};

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbPresenceStore', () => {
  describe('enter', () => {
    it('puts the member under the channel presence, with connectionId (so byConnection lists it) and ttl', async () => {
      ddb.on(PutCommand).resolves({});

      await makeStore().enter('lobby', { clientId: 'ann', name: 'Ann', connectionId: 'abc=' }, 1_764_157_800);

      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          pk: 'PRES#lobby',
          sk: 'CONN#abc=',
          clientId: 'ann',
          name: 'Ann',
          connectionId: 'abc=',
          ttl: 1_764_157_800,
        },
      });
    });
  });

  describe('leave', () => {
    it('deletes the presence item, asking for what it held, and returns that member', async () => {
      ddb.on(DeleteCommand).resolves({
        Attributes: {
          pk: 'PRES#lobby',
          sk: 'CONN#abc=',
          clientId: 'ann',
          name: 'Ann',
          connectionId: 'abc=',
          ttl: 1,
        },
      });

      const member = await makeStore().leave('lobby', 'abc=');

      expect(member).toEqual({ clientId: 'ann', name: 'Ann', connectionId: 'abc=' });
      expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'PRES#lobby', sk: 'CONN#abc=' },
        ReturnValues: 'ALL_OLD',
      });
    });

    it('returns undefined when the connection was not present', async () => {
      ddb.on(DeleteCommand).resolves({});

      expect(await makeStore().leave('lobby', 'abc=')).toBeUndefined();
    });

    it('knows an old item without clientId or name by its connection id', async () => {
      ddb.on(DeleteCommand).resolves({ Attributes: { connectionId: 'abc=' } });

      expect(await makeStore().leave('lobby', 'abc=')).toEqual({ clientId: 'abc=', connectionId: 'abc=' });
    });
  });

  describe('members', () => {
    it('queries the presence partition consistently and yields the members page by page', async () => {
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [
            { pk: 'PRES#lobby', sk: 'CONN#a', connectionId: 'a', clientId: 'ann', name: 'Ann', ttl: 1 },
            { pk: 'PRES#lobby', sk: 'CONN#b', connectionId: 'b', clientId: 'bob' },
          ],
          LastEvaluatedKey: { pk: 'PRES#lobby', sk: 'CONN#b' },
        })
        .resolvesOnce({ Items: [{ connectionId: 'c' }, { clientId: 'broken' }] });

      const pages = await collect(makeStore().members('lobby'));

      expect(pages).toEqual([
        [
          { clientId: 'ann', name: 'Ann', connectionId: 'a' },
          { clientId: 'bob', connectionId: 'b' },
        ],
        [{ clientId: 'c', connectionId: 'c' }],
      ]);
      const calls = ddb.commandCalls(QueryCommand);
      // The paginator reuses one input object, so only the start key tells the calls apart.
      expect(calls).toHaveLength(2);
      expect(calls[0]?.args[0].input).toMatchObject(presenceQuery);
      expect(calls[0]?.args[0].input.IndexName).toBeUndefined();
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'PRES#lobby', sk: 'CONN#b' });
    });
  });

  describe('recipients', () => {
    it('yields the connection ids of the present members page by page, skipping empty pages', async () => {
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ connectionId: 'a' }, { connectionId: 'b' }],
          LastEvaluatedKey: { pk: 'PRES#lobby', sk: 'CONN#b' },
        })
        .resolvesOnce({ Items: [{ pk: 'PRES#lobby' }], LastEvaluatedKey: { pk: 'PRES#lobby', sk: 'CONN#x' } })
        .resolvesOnce({ Items: [{ connectionId: 'c' }] });

      const pages = await collect(makeStore().recipients('lobby'));

      expect(pages).toEqual([['a', 'b'], ['c']]);
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 3);
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, presenceQuery);
    });

    it('yields nothing for a channel nobody is present in', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });

      expect(await collect(makeStore().recipients('lobby'))).toEqual([]);
    });
  });
});
