import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ManagementApiError } from '../../../lambdas/adapters/management-api-client.js';
import {
  bodyOf,
  FIXTURE_CONNECTION_ID,
  fakeContext,
  messageEvent,
  stubStackEnv,
  TEST_TABLE,
} from '../support/handler-env.js';
import { useHandlerTestHooks } from '../support/handler-hooks.js';
import { useManagementApiSpy } from '../support/management-api-spy.js';

const NOW = 1_764_150_060_000;
const SENDER = FIXTURE_CONNECTION_ID;
const ddb = mockClient(DynamoDBDocumentClient);
let publish: typeof import('../../../lambdas/handlers/publish.js');
let logging: typeof import('../../../lambdas/adapters/logger.js');

beforeAll(async () => {
  stubStackEnv();
  publish = await import('../../../lambdas/handlers/publish.js');
  logging = await import('../../../lambdas/adapters/logger.js');
});

useHandlerTestHooks(NOW, ddb);
const managementApi = useManagementApiSpy();

const subscriberQuery = { ExpressionAttributeValues: { ':pk': 'CHAN#lobby', ':member': 'CONN#' } };

/** The channel has `pages` of subscribers; seq comes back as 7. */
const givenChannel = (...pages: string[][]) => {
  ddb.on(UpdateCommand).resolves({ Attributes: { seq: 7 } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  const query = ddb.on(QueryCommand, subscriberQuery);
  pages.forEach((ids, i) => {
    query.resolvesOnce({
      Items: ids.map((connectionId) => ({ connectionId })),
      ...(i < pages.length - 1 ? { LastEvaluatedKey: { pk: 'CHAN#lobby', sk: `CONN#${ids.at(-1)}` } } : {}),
    });
  });
  ddb.on(BatchWriteCommand).resolves({});
};

const publishEvent = (fields: Record<string, unknown> = {}) =>
  messageEvent('publish', { action: 'publish', channel: 'lobby', data: { score: 42 }, id: 7, ...fields });

const postedTo = () => managementApi.postedTo();

describe('publish handler', () => {
  it('sends the envelope to every subscriber across pages and acks with seq and delivered', async () => {
    givenChannel([SENDER, 'sub-a'], ['sub-b']);

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toEqual({ type: 'published', channel: 'lobby', seq: 7, delivered: 3, id: 7 });
    expect(postedTo().sort()).toEqual([SENDER, 'sub-a', 'sub-b'].sort());
    const frames = managementApi.calls().map((call) => call.data);
    expect(new Set(frames)).toEqual(
      new Set([
        JSON.stringify({
          type: 'message',
          channel: 'lobby',
          data: { score: 42 },
          from: SENDER,
          seq: 7,
          sentAt: NOW,
        }),
      ]),
    );
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: TEST_TABLE,
      Key: { pk: 'CHAN#lobby', sk: '#SEQ' },
    });
  });

  it('logs one fan-out line with the counts', async () => {
    givenChannel(['sub-a', 'sub-b']);
    const info = vi.spyOn(logging.logger, 'info');

    await publish.handler(publishEvent(), fakeContext());

    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith('fan-out', {
      route: 'publish',
      channel: 'lobby',
      delivered: 2,
      gone: 0,
      failed: 0,
    });
  });

  it('removes the subscriber that is gone (not the sender) and does not count it as delivered', async () => {
    givenChannel([SENDER, 'ghost', 'sub-a']);
    managementApi.failFor('ghost', new ManagementApiError('GoneException', 410, 'Gone'));
    ddb
      .on(QueryCommand, { IndexName: 'byConnection' })
      .resolves({ Items: [{ pk: 'CHAN#lobby', sk: 'CONN#ghost', connectionId: 'ghost' }] });

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'published', delivered: 2 });
    const cleanups = ddb
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName === 'byConnection');
    expect(cleanups.map((call) => call.args[0].input.ExpressionAttributeValues?.[':cid'])).toEqual(['ghost']);
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
      .map((request) => request.DeleteRequest?.Key?.sk);
    expect(new Set(deleted)).toEqual(new Set(['META', 'CONN#ghost']));
  });

  it('retries a throttled post and delivers it', async () => {
    givenChannel(['busy', 'calm']);
    managementApi.failFor(
      'busy',
      new ManagementApiError('LimitExceededException', 429, 'Rate exceeded'),
      'once',
    );

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ delivered: 2 });
    expect(postedTo().filter((id) => id === 'busy')).toHaveLength(2);
  });

  it('does not retry when the Lambda has no time left before its safety margin', async () => {
    givenChannel(['busy']);
    managementApi.failFor('busy', new ManagementApiError('LimitExceededException', 429, 'Rate exceeded'));

    const response = await publish.handler(publishEvent(), fakeContext(500));

    expect(bodyOf(response)).toMatchObject({ delivered: 0 });
    expect(postedTo()).toEqual(['busy']);
  });

  it('delivers to the others when one subscriber fails, and logs the failure', async () => {
    givenChannel(['denied', 'sub-a', 'sub-b']);
    managementApi.failFor('denied', new ManagementApiError('ForbiddenException', 403, 'Forbidden'));
    const info = vi.spyOn(logging.logger, 'info');

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'published', delivered: 2 });
    expect(info).toHaveBeenCalledWith(
      'fan-out',
      expect.objectContaining({
        delivered: 2,
        failed: 1,
        firstProblem: expect.objectContaining({ connectionId: 'denied', stage: 'send' }),
      }),
    );
  });

  it('answers PAYLOAD_TOO_LARGE with the id before touching the counter or anyone', async () => {
    givenChannel(['sub-a']);

    const response = await publish.handler(publishEvent({ data: 'x'.repeat(131_072) }), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', id: 7 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(managementApi.calls()).toHaveLength(0);
  });

  it.each([
    ['missing data', { data: undefined }, 'INVALID_REQUEST'],
    ['a bad channel', { channel: 'a b' }, 'INVALID_CHANNEL'],
    ['a missing channel', { channel: undefined }, 'INVALID_REQUEST'],
  ])('answers %s with %s and the id', async (_, fields, code) => {
    givenChannel(['sub-a']);

    const response = await publish.handler(publishEvent(fields), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code, id: 7 });
    expect(managementApi.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR, without throwing, when the counter update fails', async () => {
    givenChannel(['sub-a']);
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 7 });
    expect(managementApi.calls()).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR when reading subscribers fails', async () => {
    givenChannel(['sub-a']);
    ddb.on(QueryCommand, subscriberQuery).rejects(new Error('InternalServerError'));

    const response = await publish.handler(publishEvent(), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR', id: 7 });
    expect(managementApi.calls()).toHaveLength(0);
  });
});
