import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRateLimiter } from '../../../lambdas/adapters/dynamodb-rate-limiter.js';

const TABLE = 'realtime-test';
const NOW = 1_764_150_000_000;
const ID = 'abc=';
const KEY = { pk: `CONN#${ID}`, sk: 'META' };
const ddb = mockClient(DynamoDBDocumentClient);

const limiter = () =>
  new DynamoDbRateLimiter({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: TABLE,
    limit: { perSecond: 10, burst: 3, closeAfter: 5 },
  });

/** The failure DynamoDB returns with `ReturnValuesOnConditionCheckFailure: ALL_OLD`. */
const failed = (tat?: number) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    ...(tat === undefined ? {} : { Item: { ...{ pk: { S: KEY.pk } }, rlTat: { N: String(tat) } } }),
  });

const isEmptyPath = {
  ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#tat) OR #tat <= :now)',
};

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbRateLimiter', () => {
  it('admits a connection whose bucket is empty with one conditional UpdateItem on META', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const admission = await limiter().admit(ID, NOW);

    // Assess
    expect(admission).toEqual({ allowed: true });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET #tat = :next REMOVE #refusals',
      ExpressionAttributeValues: { ':next': NOW + 100, ':now': NOW },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ...isEmptyPath,
    });
  });

  it('moves a TAT that is ahead of now with a compare-and-set on the TAT the failure returned', async () => {
    // Prepare: the bucket holds one message (TAT 100 ms ahead)
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed(NOW + 100))
      .resolves({});

    // Act
    const admission = await limiter().admit(ID, NOW);

    // Assess
    expect(admission).toEqual({ allowed: true });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      UpdateExpression: 'SET #tat = :next',
      ConditionExpression: '#tat = :seen',
      ExpressionAttributeValues: { ':next': NOW + 200, ':seen': NOW + 100 },
    });
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('retries the compare-and-set when a concurrent message of the same connection moved the TAT first', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed(NOW + 100))
      .rejectsOnce(failed(NOW + 200))
      .resolves({});

    const admission = await limiter().admit(ID, NOW);

    expect(admission).toEqual({ allowed: true });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 3, {
      ExpressionAttributeValues: { ':next': NOW + 300, ':seen': NOW + 200 },
    });
  });

  it('refuses a full bucket, counts the refusal atomically and says when to retry', async () => {
    // Prepare: three messages ahead, the burst is three
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed(NOW + 300))
      .resolves({ Attributes: { rlRefusals: 4 } });

    // Act
    const admission = await limiter().admit(ID, NOW);

    // Assess
    expect(admission).toEqual({ allowed: false, retryAfterMs: 100, refusals: 4 });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: KEY,
      UpdateExpression: 'ADD #refusals :one',
      ConditionExpression: 'attribute_exists(#pk)',
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('reads the TAT (strongly consistent) when the engine does not return the failed item', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed())
      .resolves({ Attributes: { rlRefusals: 1 } });
    ddb.on(GetCommand).resolves({ Item: { pk: KEY.pk, rlTat: NOW + 300 } });

    const admission = await limiter().admit(ID, NOW);

    expect(admission).toEqual({ allowed: false, retryAfterMs: 100, refusals: 1 });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: KEY, ConsistentRead: true });
  });

  it('admits, and writes nothing more, for a connection whose META item is gone', async () => {
    ddb.on(UpdateCommand).rejects(failed());
    ddb.on(GetCommand).resolves({});

    const admission = await limiter().admit(ID, NOW);

    expect(admission).toEqual({ allowed: true });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('refuses a message that loses every compare-and-set round to its siblings', async () => {
    let tat = NOW;
    ddb.on(UpdateCommand).callsFake((input: { UpdateExpression?: string }) => {
      if (input.UpdateExpression === 'ADD #refusals :one') return { Attributes: { rlRefusals: 1 } };
      tat += 1;
      throw failed(tat);
    });

    const admission = await limiter().admit(ID, NOW);

    expect(admission).toMatchObject({ allowed: false, refusals: 1 });
  });

  it('rethrows a failure that is not a failed condition (throttling, timeouts)', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    await expect(limiter().admit(ID, NOW)).rejects.toThrow('slow down');
  });
});
