/**
 * Creates the template's tables in a local engine, the way CloudFormation would: on demand, same keys and
 * indexes, TTL switched on where the engine supports it.
 *
 * @module
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type Projection,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { SecondaryIndex, TableModel } from '../model.js';
import { createLocalDynamoClient } from './client.js';

/** How long a created table may stay `CREATING` before we give up (both local engines are instant). */
const ACTIVE_TIMEOUT_MS = 10_000;
const ACTIVE_POLL_MS = 50;

/** What {@link createTables} did for one table. */
export interface CreatedTable {
  readonly tableName: string;
  /** False when the table was already there (a persisted database, or a second run). */
  readonly created: boolean;
  /** `unsupported` on dynalite, which has no `UpdateTimeToLive`; the TTL sweeper deletes expired items anyway. */
  readonly ttl: 'enabled' | 'unsupported' | 'none';
}

/**
 * Creates every table (PAY_PER_REQUEST, keys, GSIs, LSIs) and enables TTL; idempotent, so a persisted
 * database or a restart keeps its data.
 */
export async function createTables(endpoint: string, tables: readonly TableModel[]): Promise<CreatedTable[]> {
  const client = createLocalDynamoClient(endpoint);
  try {
    const results: CreatedTable[] = [];
    for (const table of tables) results.push(await createTable(client, table));
    return results;
  } finally {
    client.destroy();
  }
}

/** The `CreateTable` request for a table of the template. */
export function toCreateTableInput(table: TableModel): CreateTableCommandInput {
  return {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: table.keySchema.map((key) => ({ ...key })),
    AttributeDefinitions: table.attributeDefinitions.map((attribute) => ({ ...attribute })),
    ...(table.globalSecondaryIndexes.length > 0 && {
      GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema.map((key) => ({ ...key })),
        Projection: toProjection(index.Projection),
      })),
    }),
    ...(table.localSecondaryIndexes.length > 0 && {
      LocalSecondaryIndexes: table.localSecondaryIndexes.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema.map((key) => ({ ...key })),
        Projection: toProjection(index.Projection),
      })),
    }),
  };
}

/** CloudFormation lets `ProjectionType` be omitted; CDK's (and our) default is `ALL`. */
function toProjection(projection: SecondaryIndex['Projection']): Projection {
  return {
    ProjectionType: projection.ProjectionType ?? 'ALL',
    ...(projection.NonKeyAttributes !== undefined && { NonKeyAttributes: [...projection.NonKeyAttributes] }),
  };
}

async function createTable(client: DynamoDBClient, table: TableModel): Promise<CreatedTable> {
  let created = true;
  try {
    await client.send(new CreateTableCommand(toCreateTableInput(table)));
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
    created = false;
  }
  await waitUntilActive(client, table.tableName);
  return { tableName: table.tableName, created, ttl: await enableTtl(client, table) };
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within ${ACTIVE_TIMEOUT_MS} ms`);
}

async function enableTtl(client: DynamoDBClient, table: TableModel): Promise<CreatedTable['ttl']> {
  if (table.ttlAttribute === undefined) return 'none';
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table.tableName,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
    return 'enabled';
  } catch (error) {
    // dynalite does not implement UpdateTimeToLive at all.
    if (errorName(error) === 'UnknownOperationException') return 'unsupported';
    // A persisted table keeps its TTL setting; DynamoDB refuses to enable it twice.
    if (errorName(error) === 'ValidationException' && /already enabled/i.test(errorMessage(error))) {
      return 'enabled';
    }
    throw error;
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
