import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { messageEnvelope } from '../../../lambdas/core/frames.js';
import {
  bodyOf,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
  withGrants,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { InMemoryHistoryStore } from '../support/in-memory-store.js';

const NOW = 1_764_150_060_000;
const ddb = mockClient(DynamoDBDocumentClient);
let history: typeof import('../../../lambdas/handlers/history.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  history = await import('../../../lambdas/handlers/history.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb);

const message = (seq: number) =>
  messageEnvelope('lobby', { n: seq }, 'pub', seq, NOW - 5_000, { clientId: 'p' });
const keptItem = (seq: number) => ({ seq, frame: JSON.stringify(message(seq)) });

/** The lobby's counter is at `seq`; queries return `items` (kept messages, in the order asked). */
const givenLobby = (seq: number, items: number[]) => {
  ddb.on(GetCommand).resolves({ Item: { seq } });
  ddb.on(QueryCommand).resolves({ Items: items.map(keptItem) });
};

const historyEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('history', { action: 'history', channel: 'lobby', ...fields });

describe('history handler', () => {
  it('replies with the newest HISTORY_SIZE (default 50) kept messages, oldest first, and the seq', async () => {
    givenLobby(12, [12, 11, 10]);

    const response = await history.handler(historyEvent({ id: 4 }), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      type: 'history',
      channel: 'lobby',
      seq: 12,
      messages: [message(10), message(11), message(12)],
      id: 4,
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TEST_TABLE,
      ScanIndexForward: false,
      Limit: 50,
      ExpressionAttributeValues: expect.objectContaining({ ':pk': 'CHAN#lobby', ':prefix': 'MSG#' }),
    });
  });

  it('replies with the limit asked for', async () => {
    givenLobby(12, [12, 11]);

    const response = await history.handler(historyEvent({ limit: 2 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ messages: [message(11), message(12)] });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { Limit: 2 });
  });

  it('replies with the messages after since, recovered, and more when the limit cut them short', async () => {
    givenLobby(12, [6, 7]);

    const response = await history.handler(historyEvent({ since: 5, limit: 2 }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'history',
      channel: 'lobby',
      seq: 12,
      messages: [message(6), message(7)],
      recovered: true,
      more: true,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ScanIndexForward: true,
      Limit: 2,
      ExpressionAttributeValues: expect.objectContaining({ ':from': 'MSG#0000000000000006' }),
    });
  });

  it('replies recovered: false when the messages after since are no longer kept', async () => {
    givenLobby(120, [70, 71]);

    const response = await history.handler(historyEvent({ since: 5 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ seq: 120, recovered: false });
  });

  it.each([
    ['a bad channel', { channel: 'a b' }, 'INVALID_CHANNEL'],
    ['a missing channel', { channel: undefined }, 'INVALID_REQUEST'],
    ['a limit of 0', { limit: 0 }, 'INVALID_REQUEST'],
    ['a limit of 101', { limit: 101 }, 'INVALID_REQUEST'],
    ['a fractional since', { since: 1.5 }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id, reading nothing', async (_, fields, code) => {
    givenLobby(1, []);

    const response = await history.handler(historyEvent({ id: 'x', ...fields }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 'x' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR with the id, without throwing, when DynamoDB fails', async () => {
    givenLobby(3, []);
    ddb.on(QueryCommand).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await history.handler(historyEvent({ id: 9 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 9 });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('makeHistoryHandler', () => {
  const storeWith = (seq: number) => {
    const store = new InMemoryHistoryStore(new Map([['lobby', seq]]));
    store.kept.set('lobby', new Map(Array.from({ length: seq }, (_, i) => [i + 1, message(i + 1)])));
    return store;
  };

  it('caps the limit at its historySize', async () => {
    const store = storeWith(10);
    const handler = history.makeHistoryHandler({ history: store, historySize: 3, logger: logging.logger });

    const response = await handler(historyEvent({ limit: 100 }));

    expect(bodyOf(response)).toEqual({
      type: 'history',
      channel: 'lobby',
      seq: 10,
      messages: [message(8), message(9), message(10)],
    });
  });

  it('on a channel that keeps nothing (historySize 0), replies with no messages, not recovered', async () => {
    const store = storeWith(4);
    const handler = history.makeHistoryHandler({ history: store, historySize: 0, logger: logging.logger });

    const latest = await handler(historyEvent());
    const resumed = await handler(historyEvent({ since: 2 }));

    expect(bodyOf(latest)).toEqual({ type: 'history', channel: 'lobby', seq: 4, messages: [] });
    expect(bodyOf(resumed)).toEqual({
      type: 'history',
      channel: 'lobby',
      seq: 4,
      messages: [],
      recovered: false,
    });
  });
});

describe('history handler: grants', () => {
  it('refuses a channel the token does not allow reading the history of, with FORBIDDEN, before any read', async () => {
    givenLobby(5, [5, 4]);

    const response = await history.handler(
      withGrants(historyEvent({ id: 4 }), { channels: { lobby: ['subscribe'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'not allowed to history on "lobby"',
      id: 4,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('reads the history of a public channel without a grant', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });

    const response = await history.handler(
      withGrants(historyEvent({ channel: 'news', id: 5 }), {}),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'history', channel: 'news', id: 5 });
  });
});
