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
const pages = () =>
  new DynamoDbRecipientPages({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: 'realtime-test',
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

  it.each(['%%%', Buffer.from('[1]').toString('base64url'), Buffer.from('{"pk":1}').toString('base64url')])(
    'refuses a cursor it did not write: %s',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(BadCursorError);
    },
  );
});
