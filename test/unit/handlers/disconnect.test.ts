import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { disconnectEvent, FIXTURE_CONNECTION_ID, stubStackEnv, TEST_TABLE } from '../support/handler-env.js';

const ddb = mockClient(DynamoDBDocumentClient);
let disconnect: typeof import('../../../lambdas/handlers/disconnect.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  disconnect = await import('../../../lambdas/handlers/disconnect.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  ddb.reset();
  vi.restoreAllMocks();
});

describe('$disconnect handler', () => {
  it('removes the connection and every subscription listed by the byConnection index', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: 'CHAN#lobby', sk: `CONN#${FIXTURE_CONNECTION_ID}`, connectionId: FIXTURE_CONNECTION_ID },
        { pk: 'CHAN#games/1', sk: `CONN#${FIXTURE_CONNECTION_ID}`, connectionId: FIXTURE_CONNECTION_ID },
      ],
    });
    ddb.on(BatchWriteCommand).resolves({});

    const response = await disconnect.handler(disconnectEvent());

    expect(response).toEqual({ statusCode: 200 });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': FIXTURE_CONNECTION_ID },
    });
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
      .map((request) => request.DeleteRequest?.Key);
    expect(deleted).toEqual(
      expect.arrayContaining([
        { pk: `CONN#${FIXTURE_CONNECTION_ID}`, sk: 'META' },
        { pk: 'CHAN#lobby', sk: `CONN#${FIXTURE_CONNECTION_ID}` },
        { pk: 'CHAN#games/1', sk: `CONN#${FIXTURE_CONNECTION_ID}` },
      ]),
    );
    expect(deleted).toHaveLength(4);
  });

  it('logs a store failure and still answers 200 instead of throwing', async () => {
    ddb.on(QueryCommand).rejects(new Error('DynamoDB unavailable'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await disconnect.handler(disconnectEvent());

    expect(response).toEqual({ statusCode: 200 });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]?.[1]).toMatchObject({ connectionId: FIXTURE_CONNECTION_ID });
  });
});
