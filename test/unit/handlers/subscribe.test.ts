import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';

const NOW = 1_764_150_060_000;
const ddb = mockClient(DynamoDBDocumentClient);
let subscribe: typeof import('../../../lambdas/handlers/subscribe.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  subscribe = await import('../../../lambdas/handlers/subscribe.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb);

describe('subscribe handler', () => {
  it('stores the subscription, expiring with the connection, and acks with the id', async () => {
    ddb.on(PutCommand).resolves({});

    const response = await subscribe.handler(
      messageEvent('subscribe', { action: 'subscribe', channel: 'lobby', id: 1 }),
    );

    expect(response).toEqual({ statusCode: 200, body: '{"type":"subscribed","channel":"lobby","id":1}' });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Item: {
        pk: 'CHAN#lobby',
        sk: `CONN#${FIXTURE_CONNECTION_ID}`,
        connectionId: FIXTURE_CONNECTION_ID,
        subscribedAt: NOW,
        // the fixture's connectedAt (1764150000000 ms) + 2 h 10 min
        ttl: 1_764_150_000 + 7_800,
      },
    });
  });

  it.each([
    ['an empty channel', { channel: '' }, 'INVALID_CHANNEL'],
    ['a channel with a space', { channel: 'lobby room' }, 'INVALID_CHANNEL'],
    ['a 129-character channel', { channel: 'c'.repeat(129) }, 'INVALID_CHANNEL'],
    ['a missing channel', {}, 'INVALID_REQUEST'],
    ['a numeric channel', { channel: 7 }, 'INVALID_REQUEST'],
  ])('answers %s with %s, echoing the id, and writes nothing', async (_, fields, code) => {
    const response = await subscribe.handler(
      messageEvent('subscribe', { action: 'subscribe', id: 'q', ...fields }),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 'q' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR with the id, without throwing, when DynamoDB fails', async () => {
    ddb.on(PutCommand).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await subscribe.handler(
      messageEvent('subscribe', { action: 'subscribe', channel: 'lobby', id: 5 }),
    );

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 5 });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
