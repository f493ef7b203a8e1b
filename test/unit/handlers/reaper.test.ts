import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { expiredPresence } from '../../../lambdas/core/expired-presence.js';
import { fakeContext, stubStackEnv } from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { postedFrames, postedTo } from '../support/management-api-mock.js';

const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let reaper: typeof import('../../../lambdas/handlers/reaper.js');
let stream: typeof import('../../../lambdas/adapters/dynamodb-stream.js');

beforeAll(async () => {
  stubStackEnv();
  reaper = await import('../../../lambdas/handlers/reaper.js');
  stream = await import('../../../lambdas/adapters/dynamodb-stream.js');
});

useHandlerTestHooks(1_764_150_120_000, ddb, api);

const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

/** A presence item's old image in DynamoDB JSON. */
const presenceImage = (
  channel: string,
  connectionId: string,
  name?: string,
): Record<string, AttributeValue> => ({
  pk: { S: `PRES#${channel}` },
  sk: { S: `CONN#${connectionId}` },
  connectionId: { S: connectionId },
  clientId: { S: `client-${connectionId}` },
  ...(name === undefined ? {} : { name: { S: name } }),
  ttl: { N: '1764150000' },
});

let sequence = 100;
/** A REMOVE record as DynamoDB Streams delivers it; `identity` null is a user's delete (no `userIdentity`). */
const removeRecord = (
  image: Record<string, AttributeValue>,
  identity: Record<string, string> | null = TTL_IDENTITY,
): DynamoDBRecord => {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName: 'REMOVE',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'eu-west-1',
    eventSourceARN:
      'arn:aws:dynamodb:eu-west-1:123456789012:table/realtime-test/stream/2026-12-02T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_764_150_100,
      Keys: { pk: image.pk ?? { S: '' }, sk: image.sk ?? { S: '' } },
      OldImage: image,
      SequenceNumber: String(sequence),
      SizeBytes: 120,
      StreamViewType: 'OLD_IMAGE',
    },
    ...(identity === null ? {} : { userIdentity: identity }),
  };
};

const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

/** Who is present in each channel. */
const givenPresent = (present: Record<string, string[]>) => {
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  for (const [channel, ids] of Object.entries(present)) {
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `PRES#${channel}` } })
      .resolves({ Items: ids.map((connectionId) => ({ connectionId })) });
  }
  api.on(PostToConnectionCommand).resolves({});
};

const posts = () => postedTo(api).map((id, i) => [id, JSON.parse(postedFrames(api)[i] ?? '')]);

describe('reaper (TTL deletions on the table stream)', () => {
  it('announces the leave of an expired presence item to the remaining members of its channel', async () => {
    givenPresent({ lobby: ['a', 'b'] });

    const response = await reaper.handler(
      streamEvent(removeRecord(presenceImage('lobby', 'ghost', 'Gus'))),
      fakeContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const member = { clientId: 'client-ghost', name: 'Gus', connectionId: 'ghost' };
    expect(posts().sort()).toEqual(
      [
        ['a', { type: 'leave', channel: 'lobby', member }],
        ['b', { type: 'leave', channel: 'lobby', member }],
      ].sort(),
    );
  });

  it('ignores items that are not presence, removals by a user, and inserts', async () => {
    givenPresent({ lobby: ['a'] });
    const notPresence = presenceImage('lobby', 'ghost');
    notPresence.pk = { S: 'CHAN#lobby' };
    const insert: DynamoDBRecord = { ...removeRecord(presenceImage('lobby', 'x')), eventName: 'INSERT' };

    const response = await reaper.handler(
      streamEvent(
        removeRecord(notPresence),
        removeRecord(presenceImage('lobby', 'left'), null),
        removeRecord(presenceImage('lobby', 'other'), {
          type: 'Service',
          principalId: 'other.amazonaws.com',
        }),
        insert,
      ),
      fakeContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    expect(api).not.toHaveReceivedCommand(PostToConnectionCommand);
  });

  it('reports only the record whose announcement threw', async () => {
    givenPresent({ lobby: ['a'] });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PRES#broken' } })
      .rejects(new Error('ProvisionedThroughputExceededException'));
    const first = removeRecord(presenceImage('lobby', 'g1'));
    const failing = removeRecord(presenceImage('broken', 'g2'));
    const last = removeRecord(presenceImage('lobby', 'g3'));

    const response = await reaper.handler(streamEvent(first, failing, last), fakeContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber }] });
    // The records around it were announced.
    expect(posts().map(([, frame]) => frame.member.connectionId)).toEqual(['g1', 'g3']);
  });
});

describe('decoding a stream record', () => {
  it('unmarshalls the old image and marks TTL removals', () => {
    const removed = stream.removedItemOf(removeRecord(presenceImage('games/1', 'c1')));
    expect(removed).toEqual({
      expiredByTtl: true,
      presenceChannel: 'games/1',
      attributes: {
        pk: 'PRES#games/1',
        sk: 'CONN#c1',
        connectionId: 'c1',
        clientId: 'client-c1',
        ttl: 1_764_150_000,
      },
    });
    expect(expiredPresence(removed)).toEqual({
      channel: 'games/1',
      member: { clientId: 'client-c1', connectionId: 'c1' },
    });
  });

  it('finds the channel only in a presence partition key', () => {
    expect(stream.presenceChannelOf('PRES#a/b#c')).toBe('a/b#c');
    expect(stream.presenceChannelOf('PRES#')).toBeUndefined();
    expect(stream.presenceChannelOf('CHAN#lobby')).toBeUndefined();
    expect(stream.presenceChannelOf(7)).toBeUndefined();
  });

  it('has no expired presence without a connection id; a missing client id is the connection id', () => {
    const base = { expiredByTtl: true, presenceChannel: 'lobby' };
    expect(expiredPresence({ ...base, attributes: { pk: 'PRES#lobby' } })).toBeUndefined();
    expect(expiredPresence({ ...base, attributes: { connectionId: 'c9' } })).toEqual({
      channel: 'lobby',
      member: { clientId: 'c9', connectionId: 'c9' },
    });
    expect(
      expiredPresence({ ...base, expiredByTtl: false, attributes: { connectionId: 'c9' } }),
    ).toBeUndefined();
    expect(expiredPresence(undefined)).toBeUndefined();
  });
});
