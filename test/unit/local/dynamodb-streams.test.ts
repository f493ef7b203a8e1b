import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createLocalDynamoClient,
  createTables,
  type RunningDynamo,
  startDynamo,
  startTtlSweeper,
} from '../../../local/dynamodb/index.js';
import {
  compileFilterPattern,
  type DynamoItem,
  type StreamRecord,
  startStreams,
  ttlRemoveRecord,
} from '../../../local/dynamodb/streams.js';
import type { EventSourceMappingModel, InvokeResult, TableModel } from '../../../local/model.js';
import { pkSkTable } from './helpers/table-model.js';

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1970-01-01T00:00:00.000';
const REAPER_PATTERN = JSON.stringify({
  eventName: ['REMOVE'],
  userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
  dynamodb: { OldImage: { pk: { S: [{ prefix: 'PRES#' }] } } },
});

const table = (tableName = 't'): TableModel => pkSkTable(tableName);

const item = (pk: string, sk: string): DynamoItem => ({
  pk: { S: pk },
  sk: { S: sk },
  connectionId: { S: sk.replace('CONN#', '') },
  ttl: { N: '1700000000' },
});

const mapping = (overrides: Partial<EventSourceMappingModel> = {}): EventSourceMappingModel => ({
  logicalId: 'Mapping',
  functionId: 'Reaper',
  tableLogicalId: 'Table',
  streamViewType: 'OLD_IMAGE',
  batchSize: 100,
  maximumRetryAttempts: 2,
  reportBatchItemFailures: true,
  filterPatterns: [REAPER_PATTERN],
  enabled: true,
  ...overrides,
});

const ok = (value: unknown = null): InvokeResult => ({ ok: true, value, durationMs: 1 });

describe('ttlRemoveRecord', () => {
  it('is shaped as AWS shapes a TTL deletion', () => {
    const oldImage = { ...item('PRES#lobby', 'CONN#c1'), name: { S: 'Ann' } };
    const record = ttlRemoveRecord({
      table: table(),
      oldImage,
      streamViewType: 'OLD_IMAGE',
      streamArn: STREAM_ARN,
      region: 'eu-west-1',
      sequenceNumber: '100000000000000000001',
      deletedAtMs: 1_800_000_000_999,
    });
    expect(record).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_800_000_000,
        Keys: { pk: { S: 'PRES#lobby' }, sk: { S: 'CONN#c1' } },
        OldImage: oldImage,
        SequenceNumber: '100000000000000000001',
        SizeBytes: expect.any(Number),
        StreamViewType: 'OLD_IMAGE',
      },
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      eventSourceARN: STREAM_ARN,
    });
    expect(record.dynamodb.SizeBytes).toBeGreaterThan(40);
  });

  it('carries keys only when the stream has no old images', () => {
    const record = ttlRemoveRecord({
      table: table(),
      oldImage: item('PRES#lobby', 'CONN#c1'),
      streamViewType: 'KEYS_ONLY',
      streamArn: STREAM_ARN,
      region: 'us-east-1',
      sequenceNumber: '1',
      deletedAtMs: 0,
    });
    expect(record.dynamodb).not.toHaveProperty('OldImage');
    expect(record.dynamodb.Keys).toEqual({ pk: { S: 'PRES#lobby' }, sk: { S: 'CONN#c1' } });
  });
});

describe('compileFilterPattern', () => {
  const recordOf = (pk: string, identity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' }) => ({
    ...ttlRemoveRecord({
      table: table(),
      oldImage: item(pk, 'CONN#c1'),
      streamViewType: 'OLD_IMAGE',
      streamArn: STREAM_ARN,
      region: 'us-east-1',
      sequenceNumber: '1',
      deletedAtMs: 0,
    }),
    userIdentity: identity,
  });

  it("matches the reaper's pattern: exact values, nested objects, prefix", () => {
    const pattern = compileFilterPattern(REAPER_PATTERN);
    if (!pattern.supported) throw new Error(pattern.reason);
    expect(pattern.matches(recordOf('PRES#lobby'))).toBe(true);
    expect(pattern.matches(recordOf('CHAN#lobby'))).toBe(false);
    expect(pattern.matches(recordOf('PRES#lobby', { type: 'User', principalId: 'x' }))).toBe(false);
    expect(pattern.matches({ ...recordOf('PRES#lobby'), eventName: 'INSERT' })).toBe(false);
    expect(pattern.matches({ eventName: 'REMOVE' })).toBe(false);
  });

  it('matches any value of a list, any element of a list field, null, numbers and exists', () => {
    const pattern = compileFilterPattern(
      JSON.stringify({ a: ['x', 7, true], b: [null], c: [{ exists: false }], d: [{ exists: true }] }),
    );
    if (!pattern.supported) throw new Error(pattern.reason);
    expect(pattern.matches({ a: 7, b: null, d: 1 })).toBe(true);
    expect(pattern.matches({ a: ['q', 'x'], b: null, d: 1 })).toBe(true);
    expect(pattern.matches({ a: 'y', b: null, d: 1 })).toBe(false);
    expect(pattern.matches({ a: true, b: null, c: 1, d: 1 })).toBe(false);
    expect(pattern.matches({ a: true, b: null })).toBe(false);
  });

  it('refuses what it does not implement, saying what', () => {
    expect(compileFilterPattern(JSON.stringify({ a: [{ 'anything-but': 'x' }] }))).toEqual({
      supported: false,
      reason: 'unsupported {"anything-but":"x"} at a',
    });
    expect(compileFilterPattern(JSON.stringify({ a: { b: [{ numeric: ['>', 1] }] } }))).toMatchObject({
      supported: false,
      reason: expect.stringContaining('at a.b'),
    });
    expect(compileFilterPattern('{not json')).toMatchObject({ supported: false });
    expect(compileFilterPattern(JSON.stringify({ a: 'x' }))).toMatchObject({ supported: false });
  });
});

describe('startStreams', () => {
  const t = table();
  const records = (event: unknown) => (event as { Records: StreamRecord[] }).Records;
  const connectionIds = (event: unknown) =>
    records(event).map((record) => record.dynamodb.OldImage?.connectionId?.S);

  it('delivers the filtered records in batches of BatchSize, in order', async () => {
    const invoke = vi.fn(async (_functionId: string, _event: unknown) => ok());
    const streams = startStreams({
      sources: [{ table: t, streamArn: STREAM_ARN, mappings: [mapping({ batchSize: 2 })], invoke }],
      region: 'us-east-1',
    });
    streams.onExpired(t, [
      item('PRES#a', 'CONN#1'),
      item('CHAN#a', 'CONN#x'),
      item('PRES#a', 'CONN#2'),
      item('PRES#b', 'CONN#3'),
    ]);
    await streams.idle();
    expect(invoke.mock.calls.map(([functionId, event]) => [functionId, connectionIds(event)])).toEqual([
      ['Reaper', ['1', '2']],
      ['Reaper', ['3']],
    ]);
    const sequence = invoke.mock.calls.flatMap(([, event]) =>
      records(event).map((r) => BigInt(r.dynamodb.SequenceNumber)),
    );
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    await streams.stop();
  });

  it('retries from the lowest reported batch item failure, then succeeds', async () => {
    const invoke = vi
      .fn<(functionId: string, event: unknown) => Promise<InvokeResult>>()
      .mockImplementationOnce(async (_id, event) =>
        ok({
          batchItemFailures: [
            { itemIdentifier: records(event)[2]?.dynamodb.SequenceNumber },
            { itemIdentifier: records(event)[1]?.dynamodb.SequenceNumber },
          ],
        }),
      )
      .mockImplementation(async () => ok({ batchItemFailures: [] }));
    const streams = startStreams({
      sources: [{ table: t, streamArn: STREAM_ARN, mappings: [mapping()], invoke }],
      region: 'us-east-1',
      retryDelayMs: 1,
    });
    streams.onExpired(t, [item('PRES#a', 'CONN#1'), item('PRES#a', 'CONN#2'), item('PRES#a', 'CONN#3')]);
    await streams.idle();
    expect(invoke.mock.calls.map(([, event]) => connectionIds(event))).toEqual([
      ['1', '2', '3'],
      ['2', '3'],
    ]);
    await streams.stop();
  });

  it('retries a failed invocation MaximumRetryAttempts times, then drops the batch with a warning', async () => {
    const invoke = vi.fn(
      async (): Promise<InvokeResult> => ({
        ok: false,
        kind: 'error',
        errorType: 'Error',
        errorMessage: 'boom',
        durationMs: 1,
      }),
    );
    const warnings: string[] = [];
    const streams = startStreams({
      sources: [
        { table: t, streamArn: STREAM_ARN, mappings: [mapping({ maximumRetryAttempts: 2 })], invoke },
      ],
      region: 'us-east-1',
      retryDelayMs: 1,
      onWarning: (message) => warnings.push(message),
    });
    streams.onExpired(t, [item('PRES#a', 'CONN#1')]);
    await streams.idle();
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(warnings).toEqual([expect.stringMatching(/dropped 1 record\(s\) after 2 retries: Error: boom/)]);
    await streams.stop();
  });

  it('treats an unknown itemIdentifier as a failed batch; ignores the response without ReportBatchItemFailures', async () => {
    const unknown = vi.fn(async () => ok({ batchItemFailures: [{ itemIdentifier: 'nope' }] }));
    const plain = vi.fn(async () => ok({ batchItemFailures: [{ itemIdentifier: 'nope' }] }));
    const streams = startStreams({
      sources: [
        {
          table: t,
          streamArn: STREAM_ARN,
          mappings: [mapping({ maximumRetryAttempts: 1 })],
          invoke: unknown,
        },
        {
          table: table('other'),
          streamArn: STREAM_ARN,
          mappings: [mapping({ reportBatchItemFailures: false })],
          invoke: plain,
        },
      ],
      region: 'us-east-1',
      retryDelayMs: 1,
    });
    streams.onExpired(t, [item('PRES#a', 'CONN#1')]);
    await streams.idle();
    expect(unknown).toHaveBeenCalledTimes(2);
    expect(plain).not.toHaveBeenCalled();
    await streams.stop();
  });

  it('warns once about an unsupported pattern and delivers unfiltered; skips disabled mappings', async () => {
    const invoke = vi.fn(async (_functionId: string, _event: unknown) => ok());
    const warnings: string[] = [];
    const streams = startStreams({
      sources: [
        {
          table: t,
          streamArn: STREAM_ARN,
          mappings: [
            mapping({ filterPatterns: [JSON.stringify({ eventName: [{ suffix: 'E' }] })] }),
            mapping({ functionId: 'Disabled', enabled: false }),
          ],
          invoke,
        },
      ],
      region: 'us-east-1',
      onWarning: (message) => warnings.push(message),
    });
    streams.onExpired(t, [item('CHAN#a', 'CONN#1')]);
    streams.onExpired(t, [item('CHAN#a', 'CONN#2')]);
    await streams.idle();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('{"suffix":"E"} at eventName');
    expect(invoke.mock.calls.map(([functionId]) => functionId)).not.toContain('Disabled');
    expect(invoke.mock.calls.flatMap(([, event]) => connectionIds(event))).toEqual(['1', '2']);
    await streams.stop();
  });
});

describe('TTL sweeper → onExpired (dynalite)', () => {
  let dynamo: RunningDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo({ engine: 'dynalite' });
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('hands the full old images of the items it deleted, and only those', async () => {
    const swept = table('swept-table');
    await createTables(dynamo.endpoint, [swept]);
    const client = createLocalDynamoClient(dynamo.endpoint);
    const expired = { ...item('PRES#lobby', 'CONN#ghost'), name: { S: 'Gus' }, ttl: { N: '1799999000' } };
    await client.send(new PutItemCommand({ TableName: swept.tableName, Item: expired }));
    await client.send(
      new PutItemCommand({
        TableName: swept.tableName,
        Item: { ...item('PRES#lobby', 'CONN#alive'), ttl: { N: '1800009000' } },
      }),
    );
    const handed: { table: TableModel; oldImages: readonly DynamoItem[] }[] = [];
    const sweeper = startTtlSweeper({
      endpoint: dynamo.endpoint,
      tables: [swept],
      intervalMs: 60_000,
      now: () => 1_800_000_000_000,
      client,
      onExpired: (expiredTable, oldImages) => handed.push({ table: expiredTable, oldImages }),
    });
    expect(await sweeper.sweepOnce()).toBe(1);
    expect(handed).toEqual([{ table: swept, oldImages: [expired] }]);
    await sweeper.stop();
    client.destroy();
  });
});
