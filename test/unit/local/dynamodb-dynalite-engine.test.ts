import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynalite } from '../../../local/dynamodb/dynalite-engine.js';
import type { RunningDynamo } from '../../../local/dynamodb/engine.js';

const started: RunningDynamo[] = [];
const clients: DynamoDBClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(started.splice(0).map((db) => db.close()));
});

const clientOf = (db: RunningDynamo): DynamoDBClient => {
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  clients.push(client);
  return client;
};

const start = async (options: Parameters<typeof startDynalite>[0] = {}): Promise<RunningDynamo> => {
  const db = await startDynalite(options);
  started.push(db);
  return db;
};

const tableNames = async (db: RunningDynamo): Promise<string[]> =>
  (await clientOf(db).send(new ListTablesCommand({}))).TableNames ?? [];

const createTable = (db: RunningDynamo, name: string) =>
  clientOf(db).send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

describe('startDynalite (on its own worker thread)', () => {
  it('serves the DynamoDB API on 127.0.0.1 and stops on close', async () => {
    const db = await startDynalite();

    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await createTable(db, 'things');
    expect(await tableNames(db)).toEqual(['things']);

    await db.close();
    await db.close(); // idempotent
    await expect(tableNames(db)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(startDynalite({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      blocker.close();
    }
  });

  it('keeps tables across restarts with persistDir, and none without', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynalite-engine-'));
    try {
      const first = await startDynalite({ persistDir: join(dir, 'db') });
      await createTable(first, 'kept');
      await first.close();

      const second = await start({ persistDir: join(dir, 'db') });
      expect(await tableNames(second)).toEqual(['kept']);
      const fresh = await start();
      expect(await tableNames(fresh)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
