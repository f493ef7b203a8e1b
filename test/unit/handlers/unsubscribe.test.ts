import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';

const ddb = mockClient(DynamoDBDocumentClient);
let unsubscribe: typeof import('../../../lambdas/handlers/unsubscribe.js');

beforeAll(async () => {
  stubStackEnv();
  unsubscribe = await import('../../../lambdas/handlers/unsubscribe.js');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  ddb.reset();
});

describe('unsubscribe handler', () => {
  it('deletes the subscription and acks', async () => {
    ddb.on(DeleteCommand).resolves({});

    const response = await unsubscribe.handler(
      messageEvent('unsubscribe', { action: 'unsubscribe', channel: 'lobby' }),
    );

    expect(response).toEqual({ statusCode: 200, body: '{"type":"unsubscribed","channel":"lobby"}' });
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: `CONN#${FIXTURE_CONNECTION_ID}` },
    });
  });

  it('answers an invalid channel with INVALID_CHANNEL and the id, deleting nothing', async () => {
    const response = await unsubscribe.handler(
      messageEvent('unsubscribe', { action: 'unsubscribe', channel: 'no spaces', id: 8 }),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INVALID_CHANNEL', id: 8 });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR when DynamoDB fails', async () => {
    ddb.on(DeleteCommand).rejects(new Error('ServiceUnavailable'));

    const response = await unsubscribe.handler(
      messageEvent('unsubscribe', { action: 'unsubscribe', channel: 'lobby', id: 'u' }),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 'u' });
  });
});
