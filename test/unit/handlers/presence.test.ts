import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bodyOf,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
  withGrants,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { InMemoryPresenceStore } from '../support/in-memory-store.js';

const ddb = mockClient(DynamoDBDocumentClient);
let presence: typeof import('../../../lambdas/handlers/presence.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  presence = await import('../../../lambdas/handlers/presence.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(1_764_150_060_000, ddb);

const presenceEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('presence', { action: 'presence', channel: 'lobby', ...fields });

describe('presence handler', () => {
  it('replies with every member present, across pages, echoing the id', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ pk: 'PRES#lobby', sk: 'CONN#a', connectionId: 'a', clientId: 'ann', name: 'Ann', ttl: 1 }],
        LastEvaluatedKey: { pk: 'PRES#lobby', sk: 'CONN#a' },
      })
      .resolvesOnce({ Items: [{ pk: 'PRES#lobby', sk: 'CONN#b', connectionId: 'b', clientId: 'bob' }] });

    const response = await presence.handler(presenceEvent({ id: 'p' }), fakeContext());

    expect(bodyOf(response)).toEqual({
      type: 'presence',
      channel: 'lobby',
      members: [
        { clientId: 'ann', name: 'Ann', connectionId: 'a' },
        { clientId: 'bob', connectionId: 'b' },
      ],
      id: 'p',
    });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TEST_TABLE,
      ExpressionAttributeValues: { ':pk': 'PRES#lobby', ':member': 'CONN#', ':now': expect.any(Number) },
      FilterExpression: '#ttl > :now',
      ConsistentRead: true,
    });
  });

  it('replies with no members for a channel nobody is present in', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const response = await presence.handler(presenceEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'presence', channel: 'lobby', members: [] });
  });

  it.each([
    ['a bad channel', { channel: 'a b' }, 'INVALID_CHANNEL'],
    ['a missing channel', { channel: undefined }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id, reading nothing', async (_, fields, code) => {
    const response = await presence.handler(presenceEvent({ id: 1, ...fields }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 1 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR, without throwing, when DynamoDB fails', async () => {
    ddb.on(QueryCommand).rejects(new Error('InternalServerError'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await presence.handler(presenceEvent({ id: 1 }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 1 });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('makePresenceHandler', () => {
  it('answers PAYLOAD_TOO_LARGE with the id when the member list would not fit one frame', async () => {
    const store = new InMemoryPresenceStore();
    // ~1,100 members of ~130 bytes each: more than 128 KiB.
    for (let i = 0; i < 1_100; i += 1) {
      await store.enter(
        'lobby',
        { clientId: `c${i}`.padEnd(64, 'x'), name: 'n'.repeat(30), connectionId: `id${i}` },
        1,
      );
    }
    const handler = presence.makePresenceHandler({ presence: store, logger: logging.logger });

    const response = await handler(presenceEvent({ id: 'big' }));

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', id: 'big' });
    expect((bodyOf(response) as { message: string }).message).toContain('the member list would be');
  });

  it('replies with the members of a list that fits', async () => {
    const store = new InMemoryPresenceStore();
    await store.enter('lobby', { clientId: 'ann', connectionId: 'a' }, 1);
    const handler = presence.makePresenceHandler({ presence: store, logger: logging.logger });

    const response = await handler(presenceEvent());

    expect(bodyOf(response)).toEqual({
      type: 'presence',
      channel: 'lobby',
      members: [{ clientId: 'ann', connectionId: 'a' }],
    });
  });
});

describe('presence handler: grants', () => {
  it('refuses a channel the token does not allow seeing the presence of, with FORBIDDEN, before any read', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const response = await presence.handler(
      withGrants(presenceEvent({ id: 8 }), { channels: { lobby: ['subscribe', 'history'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'not allowed to presence on "lobby"',
      id: 8,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('lists the members where the grant allows it', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const response = await presence.handler(
      withGrants(presenceEvent({ id: 9 }), { channels: { '*': ['presence'] } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'presence', channel: 'lobby', id: 9 });
  });
});
