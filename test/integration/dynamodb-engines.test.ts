import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalDynamoClient,
  createTables,
  type RunningDynamo,
  startDynamo,
  startTtlSweeper,
} from '../../local/dynamodb/index.js';
import type { TableModel } from '../../local/model.js';

const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;

/** The product's table design in miniature: pk/sk, a keys-only GSI on connectionId, TTL on `ttl`. */
const table: TableModel = {
  logicalId: 'Table',
  tableName: 'Engines-Table',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'connectionId', AttributeType: 'S' },
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
  localSecondaryIndexes: [],
  ttlAttribute: 'ttl',
};

/** Whether a TCP connection to host:port succeeds (bounded by a short timeout). */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** This machine's addresses other than loopback: a server bound to 127.0.0.1 must not answer on them. */
const outsideAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4')
  .map((address) => address?.address ?? '');

describe.each(['dynalite', 'local'] as const)('DynamoDB engine %s', (engine) => {
  let dynamo: RunningDynamo;
  let db: DynamoDBClient;

  async function writeAll(items: Record<string, AttributeValue>[]): Promise<void> {
    for (let start = 0; start < items.length; start += 25) {
      const batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      await db.send(new BatchWriteItemCommand({ RequestItems: { [table.tableName]: batch } }));
    }
  }

  beforeAll(async () => {
    dynamo = await startDynamo({ engine });
    db = createLocalDynamoClient(dynamo.endpoint);
    await createTables(dynamo.endpoint, [table]);
  });

  afterAll(async () => {
    db?.destroy();
    await dynamo?.close();
  });

  it('listens on 127.0.0.1 and has the table with its GSI', async () => {
    // Act
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table.tableName }));
    // Assess
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual(table.keySchema);
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byConnection');
  });

  it('accepts connections on 127.0.0.1 only', async () => {
    // Prepare
    const port = Number(new URL(dynamo.endpoint).port);
    // Act
    const onLoopback = await reachable('127.0.0.1', port);
    const outside = await Promise.all(outsideAddresses.map((address) => reachable(address, port)));
    // Assess
    expect(onLoopback).toBe(true);
    expect(outside.filter(Boolean)).toEqual([]);
  });

  it('enables TTL where the engine supports it and keeps the table on a second createTables', async () => {
    // Act
    const [again] = await createTables(dynamo.endpoint, [table]);
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    // Assess
    expect(again?.created).toBe(false);
    expect(again?.ttl).toBe(engine === 'local' ? 'enabled' : 'unsupported');
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe(engine === 'local' ? 'ENABLED' : 'DISABLED');
  });

  it('lists every item of a connection with a Query on the GSI', async () => {
    // Prepare
    await writeAll([
      { pk: { S: 'CONN#a' }, sk: { S: 'META' }, connectionId: { S: 'a' } },
      { pk: { S: 'CHAN#lobby' }, sk: { S: 'CONN#a' }, connectionId: { S: 'a' } },
      { pk: { S: 'CHAN#lobby' }, sk: { S: 'CONN#b' }, connectionId: { S: 'b' } },
    ]);
    // Act
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': { S: 'a' } },
      }),
    );
    // Assess
    expect(Items.map((item) => `${item.pk?.S} ${item.sk?.S}`).sort()).toEqual([
      'CHAN#lobby CONN#a',
      'CONN#a META',
    ]);
  });

  it('pages a Query with Limit and LastEvaluatedKey', async () => {
    // Prepare
    await writeAll(
      Array.from({ length: 25 }, (_, index) => ({
        pk: { S: 'CHAN#big' },
        sk: { S: `CONN#${String(index).padStart(2, '0')}` },
        connectionId: { S: `c${index}` },
      })),
    );
    const seen: string[] = [];
    let pages = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    // Act
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: 'CHAN#big' }, ':prefix': { S: 'CONN#' } },
          Limit: 10,
          ExclusiveStartKey: startKey,
        }),
      );
      pages += 1;
      seen.push(...(page.Items ?? []).map((item) => item.sk?.S ?? ''));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && pages < 10);
    // Assess
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('has expired items removed by the TTL sweeper, and only those', async () => {
    // Prepare
    const put = (sk: string, ttl: AttributeValue) =>
      db.send(
        new PutItemCommand({ TableName: table.tableName, Item: { pk: { S: 'TTL' }, sk: { S: sk }, ttl } }),
      );
    await put('expired', { N: String(NOW_S - 1) });
    await put('alive', { N: String(NOW_S + 60) });
    await put('text', { S: String(NOW_S - 1) });
    const sweeper = startTtlSweeper({ endpoint: dynamo.endpoint, tables: [table], now: () => NOW_MS });
    // Act
    const deleted = await sweeper.sweepOnce();
    await sweeper.stop();
    // Assess
    const { Items = [] } = await db.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'TTL' } },
      }),
    );
    expect(deleted).toBe(1);
    expect(Items.map((item) => item.sk?.S).sort()).toEqual(['alive', 'text']);
  });
});
