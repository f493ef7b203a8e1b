import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalDynamoClient,
  createTables,
  type RunningDynamo,
  startDynamo,
} from '../../../local/dynamodb/index.js';
import type { TableModel } from '../../../local/model.js';

const table: TableModel = {
  logicalId: 'Table',
  tableName: 'Stack-Table',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'connectionId', AttributeType: 'S' },
    { AttributeName: 'at', AttributeType: 'N' },
  ],
  globalSecondaryIndexes: [
    {
      IndexName: 'byConnection',
      KeySchema: [
        { AttributeName: 'connectionId', KeyType: 'HASH' },
        { AttributeName: 'pk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  localSecondaryIndexes: [
    {
      IndexName: 'byTime',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'at', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['connectionId'] },
    },
  ],
  ttlAttribute: 'ttl',
};

describe('createTables (dynalite)', () => {
  let dynamo: RunningDynamo;
  const client = () => createLocalDynamoClient(dynamo.endpoint);

  beforeAll(async () => {
    dynamo = await startDynamo({ engine: 'dynalite' });
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  it('creates an on-demand table with the keys, GSI and LSI of the model', async () => {
    // Act
    const [result] = await createTables(dynamo.endpoint, [table]);
    // Assess
    expect(result).toEqual({ tableName: 'Stack-Table', created: true, ttl: 'unsupported' });
    const db = client();
    const { Table } = await db.send(new DescribeTableCommand({ TableName: 'Stack-Table' }));
    db.destroy();
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual(table.keySchema);
    expect(
      Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema, index.Projection]),
    ).toEqual([
      ['byConnection', table.globalSecondaryIndexes[0]?.KeySchema, { ProjectionType: 'KEYS_ONLY' }],
    ]);
    expect(Table?.LocalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection])).toEqual([
      ['byTime', { ProjectionType: 'INCLUDE', NonKeyAttributes: ['connectionId'] }],
    ]);
  });

  it('keeps an existing table and its items when run again', async () => {
    // Prepare
    await createTables(dynamo.endpoint, [table]);
    const db = client();
    await db.send(new PutItemCommand({ TableName: 'Stack-Table', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    // Act
    const [again] = await createTables(dynamo.endpoint, [table]);
    // Assess
    expect(again?.created).toBe(false);
    const { Item } = await db.send(
      new GetItemCommand({ TableName: 'Stack-Table', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    db.destroy();
    expect(Item).toEqual({ pk: { S: 'a' }, sk: { S: 'b' } });
  });

  it('reports no TTL for a table without a TTL attribute', async () => {
    // Act
    const [result] = await createTables(dynamo.endpoint, [
      { ...table, tableName: 'Stack-Plain', ttlAttribute: undefined, localSecondaryIndexes: [] },
    ]);
    // Assess
    expect(result).toEqual({ tableName: 'Stack-Plain', created: true, ttl: 'none' });
    const db = client();
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: 'Stack-Plain' }));
    db.destroy();
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });
});

describe('startDynamo', () => {
  it('serves dynalite on a free 127.0.0.1 port', async () => {
    // Act
    const dynamo = await startDynamo({ engine: 'dynalite' });
    await dynamo.close();
    // Assess
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dynamo.engine).toBe('dynalite');
  });

  it('keeps tables and items across restarts with persistDir', async () => {
    // Prepare
    const persistDir = await mkdtemp(join(tmpdir(), 'dynalite-persist-'));
    const key = { pk: { S: 'kept' }, sk: { S: 'item' } };
    try {
      const first = await startDynamo({ engine: 'dynalite', persistDir });
      await createTables(first.endpoint, [table]);
      const writer = createLocalDynamoClient(first.endpoint);
      await writer.send(new PutItemCommand({ TableName: table.tableName, Item: key }));
      writer.destroy();
      await first.close();
      // Act
      const second = await startDynamo({ engine: 'dynalite', persistDir });
      const [again] = await createTables(second.endpoint, [table]);
      const reader = createLocalDynamoClient(second.endpoint);
      const { Item } = await reader.send(new GetItemCommand({ TableName: table.tableName, Key: key }));
      reader.destroy();
      await second.close();
      // Assess
      expect(again?.created).toBe(false);
      expect(Item).toEqual(key);
    } finally {
      await rm(persistDir, { recursive: true, force: true });
    }
  });

  it('adopts an external endpoint without starting anything', async () => {
    // Act
    const dynamo = await startDynamo({ engine: 'external', endpoint: 'http://127.0.0.1:8000/' });
    // Assess
    expect(dynamo).toMatchObject({ engine: 'external', endpoint: 'http://127.0.0.1:8000' });
    await expect(dynamo.close()).resolves.toBeUndefined();
  });

  it('fails with a one-line fix when the external endpoint is not an http(s) URL', async () => {
    // Act / Assess
    await expect(startDynamo({ engine: 'external', endpoint: 'localhost:8000' })).rejects.toMatchObject({
      name: 'DynamoEngineError',
      code: 'ENDPOINT_INVALID',
      message: expect.stringMatching(/^[^\n]*e\.g\. http:\/\/127\.0\.0\.1:8000$/),
    });
  });
});
