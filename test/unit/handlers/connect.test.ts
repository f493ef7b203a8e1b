import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { broadcastShard } from '../../../lambdas/adapters/table-keys.js';
import {
  connectEvent,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';

const NOW = 1_764_150_000_250;
const ddb = mockClient(DynamoDBDocumentClient);
let connect: typeof import('../../../lambdas/handlers/connect.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  connect = await import('../../../lambdas/handlers/connect.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb);

const putItems = () =>
  ddb
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
    .map((request) => request.PutRequest?.Item);

describe('$connect handler', () => {
  it('registers META and the broadcast membership, then accepts the handshake', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const ttl = Math.floor(NOW / 1000) + 7_800;

    const response = await connect.handler(connectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 200 });
    expect(putItems()).toEqual([
      {
        pk: `CONN#${FIXTURE_CONNECTION_ID}`,
        sk: 'META',
        connectionId: FIXTURE_CONNECTION_ID,
        connectedAt: 1_764_150_000_000,
        sourceIp: '203.0.113.10',
        userAgent: 'wscat/6.1.0',
        // No ?clientId= (the fixture's query has only `room`): the connection id stands in.
        clientId: FIXTURE_CONNECTION_ID,
        // No authorizer either: the client id stands in for the user.
        userId: FIXTURE_CONNECTION_ID,
        ttl,
      },
      {
        pk: `ALL#${broadcastShard(FIXTURE_CONNECTION_ID)}`,
        sk: `CONN#${FIXTURE_CONNECTION_ID}`,
        connectionId: FIXTURE_CONNECTION_ID,
        ttl,
      },
    ]);
  });

  it('selects the realtime subprotocol when the client offered it beside its token', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const event = connectEvent();
    const offered = {
      ...event,
      headers: {
        ...event.headers,
        'sec-websocket-protocol': 'realtime, bearer.eyJhbGciOiJIUzI1NiJ9.e30.sig',
      },
    };

    const response = await connect.handler(offered, fakeContext());

    expect(response).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'realtime' } });
  });

  it('selects no subprotocol when the client offered only others', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const event = connectEvent();

    const response = await connect.handler(
      {
        ...event,
        headers: { ...event.headers, 'Sec-WebSocket-Protocol': 'chat, realtime-v2' },
      },
      fakeContext(),
    );

    expect(response).toEqual({ statusCode: 200 });
  });

  it('takes the user agent from the handshake headers when identity has none', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const event = connectEvent();
    const withoutAgent = {
      ...event,
      requestContext: { ...event.requestContext, identity: { sourceIp: '198.51.100.7' } },
    };

    await connect.handler(withoutAgent, fakeContext());

    expect(putItems()[0]).toMatchObject({ sourceIp: '198.51.100.7', userAgent: 'wscat/6.1.0 (header)' });
  });

  it('rejects the handshake with 500 and logs when the store fails', async () => {
    ddb.on(BatchWriteCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const errors = vi.spyOn(logging.logger, 'error');

    const response = await connect.handler(connectEvent(), fakeContext());

    expect(response).toEqual({ statusCode: 500 });
    expect(errors).toHaveBeenCalledWith(
      'connect failed; handshake rejected',
      expect.objectContaining({ connectionId: FIXTURE_CONNECTION_ID }),
    );
  });

  describe('identity in the query string', () => {
    beforeEach(() => {
      // A client id names a user: $connect counts that user's connections first (none here).
      ddb.on(QueryCommand).resolves({ Count: 0 });
    });

    const withQuery = (query: Record<string, string>) => ({
      ...connectEvent(),
      queryStringParameters: query,
    });

    it('stores the client id and display name given as ?clientId=&name=', async () => {
      ddb.on(BatchWriteCommand).resolves({});

      const response = await connect.handler(
        withQuery({ clientId: 'device-7', name: 'Ann Lee', room: 'lobby' }),
        fakeContext(),
      );

      expect(response).toEqual({ statusCode: 200 });
      expect(putItems()[0]).toMatchObject({
        pk: `CONN#${FIXTURE_CONNECTION_ID}`,
        sk: 'META',
        clientId: 'device-7',
        name: 'Ann Lee',
      });
    });

    it('makes the client id the user id while auth is off', async () => {
      ddb.on(BatchWriteCommand).resolves({});

      await connect.handler(withQuery({ clientId: 'device-7' }), fakeContext());

      expect(putItems()[0]).toMatchObject({ clientId: 'device-7', userId: 'device-7' });
    });

    describe('with auth on (the authorizer context has a userId)', () => {
      const authorized = (query: Record<string, string>, authorizer: Record<string, unknown>) => {
        const event = withQuery(query);
        return { ...event, requestContext: { ...event.requestContext, authorizer } };
      };

      it("accepts a ?clientId= equal to the token's user, and takes the token's name over ?name=", async () => {
        ddb.on(BatchWriteCommand).resolves({});

        const response = await connect.handler(
          authorized({ clientId: 'alice', name: 'Al' }, { userId: 'alice', name: 'Alice' }),
          fakeContext(),
        );

        expect(response).toEqual({ statusCode: 200 });
        expect(putItems()[0]).toMatchObject({ clientId: 'alice', name: 'Alice', userId: 'alice' });
      });

      it("makes the token's user the client id when the query names none", async () => {
        ddb.on(BatchWriteCommand).resolves({});

        const response = await connect.handler(
          authorized({ name: 'Ann' }, { userId: 'alice' }),
          fakeContext(),
        );

        expect(response).toEqual({ statusCode: 200 });
        expect(putItems()[0]).toMatchObject({ clientId: 'alice', name: 'Ann', userId: 'alice' });
      });

      it('refuses with 403 a ?clientId= naming another user, writing nothing and logging a warning', async () => {
        ddb.on(BatchWriteCommand).resolves({});
        const warn = vi.spyOn(logging.logger, 'warn');

        const response = await connect.handler(
          authorized({ clientId: 'bob', name: 'Bob' }, { userId: 'alice', name: 'Alice' }),
          fakeContext(),
        );

        expect(response).toEqual({ statusCode: 403 });
        expect(connect.FOREIGN_CLIENT_ID_STATUS).toBe(403);
        expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
        expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
        expect(warn).toHaveBeenCalledWith("connect refused: the clientId is not the token's user", {
          connectionId: FIXTURE_CONNECTION_ID,
          error: expect.stringContaining('"bob" is not the token\'s user "alice"'),
        });
      });

      it('still refuses a malformed ?clientId= with 400', async () => {
        ddb.on(BatchWriteCommand).resolves({});

        const response = await connect.handler(
          authorized({ clientId: 'a b' }, { userId: 'alice' }),
          fakeContext(),
        );

        expect(response).toEqual({ statusCode: 400 });
        expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
      });
    });

    it('keeps the client-chosen client id while auth is off (no authorizer context)', async () => {
      ddb.on(BatchWriteCommand).resolves({});

      const response = await connect.handler(withQuery({ clientId: 'bob', name: 'Bob' }), fakeContext());

      expect(response).toEqual({ statusCode: 200 });
      expect(putItems()[0]).toMatchObject({ clientId: 'bob', name: 'Bob', userId: 'bob' });
    });

    it('stores no name for an empty ?name=', async () => {
      ddb.on(BatchWriteCommand).resolves({});

      await connect.handler(withQuery({ clientId: 'device-7', name: '' }), fakeContext());

      expect(putItems()[0]?.name).toBeUndefined();
      expect(putItems()[0]).toMatchObject({ clientId: 'device-7' });
    });

    it.each([
      ['a client id with a space', { clientId: 'a b' }],
      ['an empty client id', { clientId: '' }],
      ['a 65-character client id', { clientId: 'c'.repeat(65) }],
      ['a name with a control character', { clientId: 'ok', name: 'Ann\u0007' }],
      ['a 65-character name', { name: 'n'.repeat(65) }],
    ])('refuses the handshake with 400 for %s, writing nothing and logging a warning', async (_, query) => {
      ddb.on(BatchWriteCommand).resolves({});
      const warn = vi.spyOn(logging.logger, 'warn');

      const response = await connect.handler(withQuery(query), fakeContext());

      expect(response).toEqual({ statusCode: 400 });
      expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
      expect(warn).toHaveBeenCalledWith(
        'connect refused: bad identity in the query string',
        expect.objectContaining({
          connectionId: FIXTURE_CONNECTION_ID,
          error: expect.stringMatching(/^(clientId|name) must/),
        }),
      );
    });
  });

  describe('connections per user (MAX_CONNECTIONS_PER_USER, default 10)', () => {
    const asUser = (clientId: string) => ({ ...connectEvent(), queryStringParameters: { clientId } });

    it("counts the user's connections with one bounded COUNT query on byUser, and accepts under the cap", async () => {
      ddb.on(BatchWriteCommand).resolves({});
      ddb.on(QueryCommand).resolves({ Count: 9 });

      const response = await connect.handler(asUser('device-7'), fakeContext());

      expect(response).toEqual({ statusCode: 200 });
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        TableName: TEST_TABLE,
        IndexName: 'byUser',
        Select: 'COUNT',
        Limit: 11,
        ExpressionAttributeValues: { ':user': 'device-7' },
      });
    });

    it('refuses the handshake with 429 at the cap, writing nothing and logging a warning', async () => {
      ddb.on(BatchWriteCommand).resolves({});
      ddb.on(QueryCommand).resolves({ Count: 10 });
      const warn = vi.spyOn(logging.logger, 'warn');

      const response = await connect.handler(asUser('device-7'), fakeContext());

      expect(response).toEqual({ statusCode: 429 });
      expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
      expect(warn).toHaveBeenCalledWith('connect refused: the user has too many connections open', {
        connectionId: FIXTURE_CONNECTION_ID,
        userId: 'device-7',
        max: 10,
      });
    });

    it("counts the authorizer's user when auth is on, though the query names no client", async () => {
      ddb.on(BatchWriteCommand).resolves({});
      ddb.on(QueryCommand).resolves({ Count: 0 });
      const event = connectEvent();
      const authorized = {
        ...event,
        requestContext: { ...event.requestContext, authorizer: { userId: 'alice' } },
      };

      await connect.handler(authorized, fakeContext());

      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        ExpressionAttributeValues: { ':user': 'alice' },
      });
    });

    it('does not query for a connection without a client id or user (it is a user of its own)', async () => {
      ddb.on(BatchWriteCommand).resolves({});

      const response = await connect.handler(connectEvent(), fakeContext());

      expect(response).toEqual({ statusCode: 200 });
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    });

    it('rejects with 500 when the count fails', async () => {
      ddb.on(QueryCommand).rejects(new Error('ThrottlingException'));
      vi.spyOn(logging.logger, 'error').mockImplementation(() => undefined);

      expect(await connect.handler(asUser('device-7'), fakeContext())).toEqual({ statusCode: 500 });
    });

    it('has no cap when maxConnectionsPerUser is 0', async () => {
      ddb.on(BatchWriteCommand).resolves({});
      ddb.on(QueryCommand).resolves({ Count: 5000 });
      const stores = await import('../../../lambdas/adapters/dynamodb-store.js');
      const clients = await import('../../../lambdas/adapters/clients/dynamodb.js');
      const uncapped = connect.makeConnectHandler({
        store: new stores.DynamoDbConnectionStore({ client: clients.documentClient, tableName: TEST_TABLE }),
        logger: logging.logger,
        now: () => NOW,
        maxConnectionsPerUser: 0,
      });

      expect(await uncapped(asUser('device-7'))).toEqual({ statusCode: 200 });
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });
});
