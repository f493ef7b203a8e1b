import { type AttributeValue, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalDynamoClient,
  createTables,
  type RunningDynamo,
  startDynamo,
  startTtlSweeper,
} from '../../../local/dynamodb/index.js';
import type { TableModel } from '../../../local/model.js';
import { pkSkTable } from './helpers/table-model.js';

const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;

describe('startTtlSweeper (dynalite)', () => {
  let dynamo: RunningDynamo;
  let table: TableModel;
  let tableCount = 0;
  const db = () => createLocalDynamoClient(dynamo.endpoint);

  async function put(sk: string, ttl: AttributeValue | undefined): Promise<void> {
    const client = db();
    await client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { pk: { S: 'p' }, sk: { S: sk }, ...(ttl && { ttl }) },
      }),
    );
    client.destroy();
  }

  async function remaining(): Promise<string[]> {
    const client = db();
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table.tableName }));
    client.destroy();
    return Items.map((item) => item.sk?.S ?? '').sort();
  }

  beforeAll(async () => {
    dynamo = await startDynamo({ engine: 'dynalite' });
  });

  beforeEach(async () => {
    tableCount += 1;
    table = pkSkTable(`Sweep-${tableCount}`);
    await createTables(dynamo.endpoint, [table]);
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  it('deletes items whose numeric ttl has passed and keeps the rest', async () => {
    // Prepare
    await put('expired', { N: String(NOW_S - 10) });
    await put('future', { N: String(NOW_S + 3600) });
    await put('string-ttl', { S: String(NOW_S - 10) });
    await put('no-ttl', undefined);
    await put('ancient', { N: String(NOW_S - 6 * 365 * 24 * 3600) });
    const sweeper = startTtlSweeper({
      endpoint: dynamo.endpoint,
      tables: [table],
      intervalMs: 60_000,
      now: () => NOW_MS,
    });
    // Act
    const deleted = await sweeper.sweepOnce();
    await sweeper.stop();
    // Assess
    expect(deleted).toBe(1);
    expect(await remaining()).toEqual(['ancient', 'future', 'no-ttl', 'string-ttl']);
  });

  it('deletes expired items across Scan pages', async () => {
    // Prepare: ~30 items of ~40 KB exceed the 1 MB Scan page.
    const padding = 'x'.repeat(40_000);
    const client = db();
    for (let index = 0; index < 30; index += 1) {
      await client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            pk: { S: 'p' },
            sk: { S: `item-${index}` },
            ttl: { N: String(NOW_S - 1) },
            padding: { S: padding },
          },
        }),
      );
    }
    client.destroy();
    const sweeper = startTtlSweeper({ endpoint: dynamo.endpoint, tables: [table], now: () => NOW_MS });
    // Act
    const deleted = await sweeper.sweepOnce();
    await sweeper.stop();
    // Assess
    expect(deleted).toBe(30);
    expect(await remaining()).toEqual([]);
  });

  it('keeps an item whose ttl was refreshed between the Scan and the delete', async () => {
    // Prepare: the sweeper's client refreshes the item just before its first DeleteItem leaves.
    await put('refreshed', { N: String(NOW_S - 10) });
    const client = db();
    let refreshes = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteItemCommand' && refreshes === 0) {
          refreshes += 1;
          await put('refreshed', { N: String(NOW_S + 3600) });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const sweeper = startTtlSweeper({
      endpoint: dynamo.endpoint,
      tables: [table],
      client,
      now: () => NOW_MS,
    });
    // Act
    const deleted = await sweeper.sweepOnce();
    await sweeper.stop();
    client.destroy();
    // Assess
    expect(refreshes).toBe(1);
    expect(deleted).toBe(0);
    expect(await remaining()).toEqual(['refreshed']);
  });

  it('sweeps on its interval until stopped', async () => {
    // Prepare
    const client = db();
    let scans = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') scans += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    await put('expired', { N: String(NOW_S - 10) });
    const sweeper = startTtlSweeper({
      endpoint: dynamo.endpoint,
      tables: [table],
      client,
      intervalMs: 10,
      now: () => NOW_MS,
    });
    for (let attempt = 0; attempt < 200 && (await remaining()).length > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Act
    await sweeper.stop();
    const scansAtStop = scans;
    await put('late', { N: String(NOW_S - 10) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Assess
    expect(scansAtStop).toBeGreaterThan(0);
    expect(scans).toBe(scansAtStop);
    expect(await sweeper.sweepOnce()).toBe(0);
    expect(await remaining()).toEqual(['late']);
    client.destroy();
  });
});
