/**
 * A `$disconnect` that never comes: every item written for a connection carries a `ttl`, so DynamoDB reaps
 * whatever a lost `$disconnect` (and no later 410) leaves behind; and a 410 found by any fan-out removes the
 * connection with every subscription, listed on the `byConnection` index.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbPresenceStore } from '../../../lambdas/adapters/dynamodb-presence.js';
import { DynamoDbConnectionStore } from '../../../lambdas/adapters/dynamodb-store.js';

const TABLE = 'realtime-test';
const EXPIRES = 1_764_157_800;
const ddb = mockClient(DynamoDBDocumentClient);
const options = () => ({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  tableName: TABLE,
  now: () => 1,
});

beforeEach(() => {
  ddb.reset();
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
});

/** Every item put, one by one or in a batch. */
const itemsWritten = (): Record<string, unknown>[] => [
  ...ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item ?? {}),
  ...ddb
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
    .flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : [])),
];

describe('items of a connection', () => {
  it('all carry the ttl: META, broadcast membership, subscription and presence', async () => {
    // Prepare
    const store = new DynamoDbConnectionStore({ ...options(), maxSubscriptions: 100 });
    const presence = new DynamoDbPresenceStore(options());

    // Act
    await store.putConnection({
      connectionId: 'c1',
      connectedAt: 1,
      clientId: 'alice',
      userId: 'alice',
      expiresAt: EXPIRES,
    });
    await store.subscribe('c1', 'lobby', EXPIRES);
    await presence.enter('lobby', { connectionId: 'c1', clientId: 'alice' }, EXPIRES);

    // Assess
    const items = itemsWritten();
    const kinds = items.map((item) => String(item.pk).split('#')[0]).sort();
    expect(kinds).toEqual(['ALL', 'CHAN', 'CONN', 'PRES']);
    for (const item of items) expect(item).toHaveProperty('ttl', EXPIRES);
  });

  it('a connection found gone is removed with every subscription the index lists', async () => {
    // Prepare: the index lists META, two subscriptions and a presence item
    ddb.on(GetCommand).resolves({ Item: { clientId: 'alice' } });
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: 'CONN#c1', sk: 'META' },
        { pk: 'CHAN#lobby', sk: 'CONN#c1' },
        { pk: 'CHAN#news', sk: 'CONN#c1' },
        { pk: 'PRES#lobby', sk: 'CONN#c1' },
      ],
    });
    const store = new DynamoDbConnectionStore(options());

    // Act
    await store.removeConnection('c1');

    // Assess
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
      .map((request) => `${request.DeleteRequest?.Key?.pk} ${request.DeleteRequest?.Key?.sk}`);
    expect(deleted).toEqual(
      expect.arrayContaining([
        'CHAN#lobby CONN#c1',
        'CHAN#news CONN#c1',
        'PRES#lobby CONN#c1',
        'CONN#c1 META',
      ]),
    );
  });
});
