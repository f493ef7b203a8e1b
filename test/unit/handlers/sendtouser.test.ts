import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  messageEvent,
  stubStackEnv,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { goneError, postedFrames, postedTo } from '../support/management-api-mock.js';

const NOW = 1_764_150_070_000;
const SENDER = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);
let sendtouser: typeof import('../../../lambdas/handlers/sendtouser.js');
let fanOutSupport: typeof import('../../../lambdas/handlers/support/fan-out.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  sendtouser = await import('../../../lambdas/handlers/sendtouser.js');
  fanOutSupport = await import('../../../lambdas/handlers/support/fan-out.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb, api);

/** alice has `ids` open (one page); the sender's META says clientId `bob`. */
const givenUser = (...ids: string[]) => {
  ddb.on(GetCommand).resolves({ Item: { clientId: 'bob' } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb
    .on(QueryCommand, { IndexName: 'byUser', ExpressionAttributeValues: { ':user': 'alice' } })
    .resolves({ Items: ids.map((connectionId) => ({ connectionId })) });
  ddb.on(BatchWriteCommand).resolves({});
  api.on(PostToConnectionCommand).resolves({});
};

const sendEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('sendtouser', { action: 'sendtouser', user: 'alice', data: { text: 'hi' }, id: 3, ...fields });

describe('sendtouser handler', () => {
  it("sends a direct frame to each of the user's connections and acks with delivered", async () => {
    givenUser('a1', 'a2');

    const response = await sendtouser.handler(sendEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'sent', user: 'alice', delivered: 2, id: 3 });
    expect(postedTo(api).sort()).toEqual(['a1', 'a2']);
    expect(new Set(postedFrames(api))).toEqual(
      new Set([
        JSON.stringify({ type: 'direct', from: SENDER, fromUser: 'bob', data: { text: 'hi' }, sentAt: NOW }),
      ]),
    );
  });

  it("takes fromUser from the authorizer's context when auth is on, without reading META", async () => {
    givenUser('a1');
    const event = sendEvent();
    const authorized = {
      ...event,
      requestContext: { ...event.requestContext, authorizer: { userId: 'bob@example.com' } },
    };

    await sendtouser.handler(authorized, fakeContext());

    expect(JSON.parse(postedFrames(api)[0] ?? '{}')).toMatchObject({ fromUser: 'bob@example.com' });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('acks delivered: 0 for a user with no open connection', async () => {
    givenUser();

    const response = await sendtouser.handler(sendEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'sent', user: 'alice', delivered: 0, id: 3 });
    expect(api.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });

  it('removes a connection of the user that is gone', async () => {
    givenUser('a1', 'ghost');
    api.on(PostToConnectionCommand, { ConnectionId: 'ghost' }).rejects(goneError());

    const response = await sendtouser.handler(sendEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ delivered: 1 });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':cid': 'ghost' },
    });
  });

  it('answers INVALID_REQUEST for a malformed user, touching nothing', async () => {
    givenUser('a1');

    const response = await sendtouser.handler(sendEvent({ user: 'not a user' }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INVALID_REQUEST', id: 3 });
    expect(ddb.calls()).toHaveLength(0);
    expect(api.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR when the index cannot be read', async () => {
    givenUser('a1');
    ddb.on(QueryCommand, { IndexName: 'byUser' }).rejects(new Error('boom'));
    vi.spyOn(logging.logger, 'error').mockImplementation(() => undefined);

    const response = await sendtouser.handler(sendEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 3 });
  });

  describe('permission seam', () => {
    it('answers FORBIDDEN when the injected policy refuses, reading and sending nothing', async () => {
      givenUser('a1');
      const asked: string[] = [];
      const handler = sendtouser.makeSendToUserHandler({
        ports: (await import('../../../lambdas/handlers/support/ports.js')).productionPorts('sendtouser'),
        mayMessage: (_context, user) => {
          asked.push(user);
          return user !== 'alice';
        },
        logger: logging.logger,
        fanOut: fanOutSupport.defaultFanOutSettings(),
      });

      const response = await handler(sendEvent(), fakeContext());

      expect(bodyOf(response)).toEqual({
        type: 'error',
        code: 'FORBIDDEN',
        message: 'you may not message user "alice"',
        id: 3,
      });
      expect(asked).toEqual(['alice']);
      expect(ddb.calls()).toHaveLength(0);
      expect(api.calls()).toHaveLength(0);
    });

    it('allows everything by default (auth off)', () => {
      const event = sendEvent();
      expect(sendtouser.ALLOW_ALL_MESSAGES(event.requestContext, 'anyone')).toBe(true);
    });
  });
});
