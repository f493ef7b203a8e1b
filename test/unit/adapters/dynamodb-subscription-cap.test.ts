import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbConnectionStore } from '../../../lambdas/adapters/dynamodb-store.js';

const TABLE = 'realtime-test';
const ID = 'abc=';
const META = { pk: `CONN#${ID}`, sk: 'META' };
const SUBSCRIPTION = { pk: 'CHAN#lobby', sk: `CONN#${ID}` };
const ddb = mockClient(DynamoDBDocumentClient);

const store = () =>
  new DynamoDbConnectionStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
    now: () => 1,
    maxSubscriptions: 2,
  });

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const counterUpdates = () =>
  ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.ExpressionAttributeValues?.[':one'] ?? -1);

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbConnectionStore subscription cap', () => {
  it('takes a place with a conditional ADD on META before putting the subscription', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    // Act
    await store().subscribe(ID, 'lobby', 99);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: META,
      UpdateExpression: 'ADD #count :one',
      ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#count) OR #count < :max)',
      ExpressionAttributeValues: { ':one': 1, ':max': 2 },
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining(SUBSCRIPTION) });
    expect(counterUpdates()).toEqual([1]);
  });

  it('refuses with LIMIT_EXCEEDED at the cap and writes no subscription', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: SUBSCRIPTION }).resolves({});
    ddb.on(GetCommand, { Key: META }).resolves({ Item: { pk: META.pk } });

    await expect(store().subscribe(ID, 'lobby', 99)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });

    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('still refreshes a subscription the connection holds already when at the cap', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: SUBSCRIPTION }).resolves({ Item: { ...SUBSCRIPTION } });
    ddb.on(PutCommand).resolves({ Attributes: { ...SUBSCRIPTION } });

    await store().subscribe(ID, 'lobby', 99);

    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(counterUpdates()).toEqual([1]);
  });

  it('gives the place back when the subscription write fails (never half-written)', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    await expect(store().subscribe(ID, 'lobby', 99)).rejects.toThrow('throttled');

    expect(counterUpdates()).toEqual([1, -1]);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: META,
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: '#count > :zero',
    });
  });

  it('counts a subscription once when it is subscribed twice', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({ Attributes: { ...SUBSCRIPTION } });

    await store().subscribe(ID, 'lobby', 99);

    expect(counterUpdates()).toEqual([1, -1]);
  });

  it('gives the place back on unsubscribe only when the subscription existed', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb
      .on(DeleteCommand)
      .resolvesOnce({ Attributes: { ...SUBSCRIPTION } })
      .resolves({});

    await store().unsubscribe(ID, 'lobby');
    await store().unsubscribe(ID, 'lobby');

    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: SUBSCRIPTION, ReturnValues: 'ALL_OLD' });
    expect(counterUpdates()).toEqual([-1]);
  });

  it('subscribes a connection whose META is gone without counting (as before the cap)', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    await store().subscribe(ID, 'lobby', 99);

    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
  });
});
