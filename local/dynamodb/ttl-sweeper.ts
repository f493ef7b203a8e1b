/**
 * Does locally what DynamoDB's TTL does in AWS: deletes items whose TTL attribute (epoch seconds) has passed.
 * Neither dynalite nor DynamoDB Local ever deletes expired items by itself. Each deleted item's old image goes to
 * `onExpired`, from which the runtime makes the table stream's TTL `REMOVE` records.
 *
 * @module
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableModel } from '../model.js';
import { createLocalDynamoClient } from './client.js';

/** DynamoDB skips items whose TTL is more than five years in the past (it treats them as not a TTL). */
const FIVE_YEARS_SECONDS = 5 * 365 * 24 * 60 * 60;
/** At most this many Scan pages per table per sweep, so one sweep is bounded even on a huge table. */
const MAX_PAGES_PER_TABLE = 1_000;
/** Deletes in flight at once. */
const DELETE_CONCURRENCY = 16;

/** Options of {@link startTtlSweeper}. */
export interface TtlSweeperOptions {
  readonly endpoint: string;
  /** Tables without `ttlAttribute` are ignored. */
  readonly tables: readonly TableModel[];
  /** Time between the end of one sweep and the start of the next. @default 30 000 */
  readonly intervalMs?: number;
  /** The clock, in epoch milliseconds (tests pin it). @default Date.now */
  readonly now?: () => number;
  /** A client to use instead of building one; the sweeper then leaves it open on `stop()`. */
  readonly client?: DynamoDBClient;
  /** Called when a periodic sweep fails (the next one still runs). @default ignore */
  readonly onError?: (error: unknown) => void;
  /**
   * Called after each page of deletions with the items this sweeper deleted (their full old images, in
   * DynamoDB JSON), never with an empty list; an exception it throws is passed to `onError`, never stops the
   * sweep. @default ignore
   */
  readonly onExpired?: (table: TableModel, oldImages: readonly Record<string, AttributeValue>[]) => void;
}

/** A running sweeper. */
export interface TtlSweeper {
  /** Sweeps every TTL table now; resolves with the number of items deleted. */
  sweepOnce(): Promise<number>;
  /** Stops the timer, waits for a sweep in progress to finish its current page; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts sweeping every `intervalMs`. Each expired item is deleted with a condition that it is still expired,
 * so an item refreshed (its TTL pushed forward) between the Scan and the delete survives, as in DynamoDB.
 *
 * @example
 * const sweeper = startTtlSweeper({ endpoint, tables, intervalMs: 30_000 });
 * await sweeper.stop();
 */
export function startTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const intervalMs = options.intervalMs ?? 30_000;
  const now = options.now ?? Date.now;
  const ttlTables = options.tables.filter(
    (table): table is TableModel & { ttlAttribute: string } => table.ttlAttribute !== undefined,
  );
  const client = options.client ?? createLocalDynamoClient(options.endpoint);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<number> | undefined;
  let stopping: Promise<void> | undefined;

  const sweepAll = async (): Promise<number> => {
    let deleted = 0;
    for (const table of ttlTables) {
      if (stopped) break;
      deleted += await sweepTable(
        client,
        table,
        now(),
        () => stopped,
        (oldImages) => {
          try {
            options.onExpired?.(table, oldImages);
          } catch (error) {
            options.onError?.(error);
          }
        },
      );
    }
    return deleted;
  };

  /** Callers during a sweep share it rather than starting a second, overlapping one. */
  const sweepOnce = (): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    if (inFlight === undefined) {
      const sweep = sweepAll().finally(() => {
        if (inFlight === sweep) inFlight = undefined;
      });
      inFlight = sweep;
    }
    return inFlight;
  };

  const schedule = (): void => {
    if (stopped || ttlTables.length === 0) return;
    timer = setTimeout(() => {
      sweepOnce()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    sweepOnce,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await inFlight?.catch(() => 0);
        if (options.client === undefined) client.destroy();
      })();
      return stopping;
    },
  };
}

async function sweepTable(
  client: DynamoDBClient,
  table: TableModel & { readonly ttlAttribute: string },
  nowMs: number,
  isStopped: () => boolean,
  onExpired: (oldImages: readonly Record<string, AttributeValue>[]) => void,
): Promise<number> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const keyNames = table.keySchema.map((key) => key.AttributeName);
  // `<` across types is false in DynamoDB, so string (or any non-number) TTL values never match: like AWS.
  const expired: ExpiredCondition = {
    expression: '#ttl < :now AND #ttl >= :oldest',
    names: { '#ttl': table.ttlAttribute },
    values: { ':now': { N: String(nowSeconds) }, ':oldest': { N: String(nowSeconds - FIVE_YEARS_SECONDS) } },
  };
  const keyPlaceholders = Object.fromEntries(keyNames.map((name, index) => [`#k${index}`, name]));
  let deleted = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < MAX_PAGES_PER_TABLE && !isStopped(); page += 1) {
    const result = await client.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: expired.expression,
        ProjectionExpression: Object.keys(keyPlaceholders).join(', '),
        ExpressionAttributeNames: { ...expired.names, ...keyPlaceholders },
        ExpressionAttributeValues: expired.values,
        ExclusiveStartKey: startKey,
      }),
    );
    const oldImages = await deleteExpired(client, table.tableName, result.Items ?? [], expired);
    deleted += oldImages.length;
    if (oldImages.length > 0) onExpired(oldImages);
    startKey = result.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  return deleted;
}

/** The "still expired" test, shared by the Scan filter and the conditional delete. */
interface ExpiredCondition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

/** Deletes the items that are still expired; resolves with the old images of those it deleted. */
async function deleteExpired(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Record<string, AttributeValue>[],
  expired: ExpiredCondition,
): Promise<Record<string, AttributeValue>[]> {
  const deleted: Record<string, AttributeValue>[] = [];
  for (let start = 0; start < keys.length; start += DELETE_CONCURRENCY) {
    const batch = keys.slice(start, start + DELETE_CONCURRENCY);
    const outcomes = await Promise.all(
      batch.map(async (key) => {
        try {
          const result = await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: key,
              ConditionExpression: expired.expression,
              ExpressionAttributeNames: expired.names,
              ExpressionAttributeValues: expired.values,
              ReturnValues: 'ALL_OLD',
            }),
          );
          return result.Attributes ?? key;
        } catch (error) {
          // Refreshed or deleted since the Scan: that item is not ours to delete.
          if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
          throw error;
        }
      }),
    );
    for (const oldImage of outcomes) if (oldImage !== undefined) deleted.push(oldImage);
  }
  return deleted;
}
