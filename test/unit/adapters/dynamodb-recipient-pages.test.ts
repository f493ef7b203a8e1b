import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BadCursorError,
  DynamoDbRecipientPages,
  decodeCursor,
  encodeCursor,
} from '../../../lambdas/adapters/dynamodb-recipient-pages.js';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW_MS = 1_700_000_000_000;
const pages = () =>
  new DynamoDbRecipientPages({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: 'realtime-test',
    now: () => NOW_MS,
  });

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbRecipientPages', () => {
  it('reads one page of a channel with Limit, strongly consistent, and returns the next cursor', async () => {
    // Prepare
    const last = { pk: 'CHAN#lobby', sk: 'CONN#b' };
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }], LastEvaluatedKey: last });

    // Act
    const page = await pages().page({ channel: 'lobby' }, undefined, 2);

    // Assess
    expect(page).toEqual({ ids: ['a', 'b'], next: encodeCursor(last) });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'realtime-test',
      Limit: 2,
      ConsistentRead: true,
      ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':member': 'CONN#' },
    });
  });

  it('continues a broadcast shard from a cursor, and has no next cursor on the last page', async () => {
    const start = { pk: 'ALL#2', sk: 'CONN#x' };
    ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'y' }] });

    const page = await pages().page({ shard: 2 }, encodeCursor(start), 100);

    expect(page).toEqual({ ids: ['y'] });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExclusiveStartKey: start,
      ExpressionAttributeValues: { ':pk': 'ALL#2', ':member': 'CONN#' },
    });
  });

  it('reads the members present in a channel, skipping those whose presence expired', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'p' }] });

    const page = await pages().page({ presence: 'room' }, undefined, 50);

    expect(page).toEqual({ ids: ['p'] });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      Limit: 50,
      ConsistentRead: true,
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cid': 'connectionId', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':pk': 'PRES#room', ':member': 'CONN#', ':now': NOW_MS / 1000 },
    });
  });

  it('reads a user connections on the byUser index (eventually consistent) and continues from its key', async () => {
    const last = { userId: 'alice', pk: 'CONN#c1', sk: 'META' };
    ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'c1' }], LastEvaluatedKey: last });

    const page = await pages().page({ user: 'alice' }, undefined, 10);

    expect(page).toEqual({ ids: ['c1'], next: encodeCursor(last) });
    expect(decodeCursor(page.next ?? '')).toEqual(last);
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'byUser',
      KeyConditionExpression: '#user = :user',
      ExpressionAttributeValues: { ':user': 'alice' },
      ProjectionExpression: '#cid',
    });
    expect(input?.ConsistentRead).toBeUndefined();
  });

  it.each(['%%%', Buffer.from('[1]').toString('base64url'), Buffer.from('{"pk":1}').toString('base64url')])(
    'refuses a cursor it did not write: %s',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(BadCursorError);
    },
  );
});
