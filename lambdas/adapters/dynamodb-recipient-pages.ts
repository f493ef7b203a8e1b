/**
 * `RecipientPages` on the table: one `Query` page of a channel's subscribers or of one broadcast shard, from
 * a cursor that is the page's `LastEvaluatedKey` encoded as base64url JSON, so it can travel in a queue message.
 *
 * @module
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RecipientPage, RecipientPages, RecipientSource } from '../core/ports.js';
import { broadcastPartition, channelPartition, MEMBER_PREFIX } from './table-keys.js';

/** A cursor that is not one this adapter wrote. */
export class BadCursorError extends Error {
  override readonly name = 'BadCursorError';
}

/** Encodes a `LastEvaluatedKey` (string attributes only: `pk`, `sk`). */
export const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** Decodes a cursor written by {@link encodeCursor}. @throws {BadCursorError} */
export const decodeCursor = (cursor: string): Record<string, string> => {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new BadCursorError(`cursor is not base64url JSON: ${cursor.slice(0, 40)}`, { cause: error });
  }
  if (
    typeof key !== 'object' ||
    key === null ||
    Object.values(key).some((value) => typeof value !== 'string') ||
    typeof (key as { pk?: unknown }).pk !== 'string'
  ) {
    throw new BadCursorError(`cursor is not a table key: ${cursor.slice(0, 40)}`);
  }
  return key as Record<string, string>;
};

const partitionOf = (source: RecipientSource): string =>
  'channel' in source ? channelPartition(source.channel) : broadcastPartition(source.shard);

/**
 * Reads recipients page by page with `Limit` and `ExclusiveStartKey`, strongly consistent like the store's
 * own recipient queries.
 *
 * @example
 * const pages = new DynamoDbRecipientPages({ client: documentClient, tableName });
 * const { ids, next } = await pages.page({ channel: 'lobby' }, undefined, 1000);
 */
export class DynamoDbRecipientPages implements RecipientPages {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBDocumentClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async page(source: RecipientSource, cursor: string | undefined, limit: number): Promise<RecipientPage> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :member)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cid': 'connectionId' },
        ExpressionAttributeValues: { ':pk': partitionOf(source), ':member': MEMBER_PREFIX },
        ProjectionExpression: '#cid',
        ConsistentRead: true,
        Limit: limit,
        ...(cursor === undefined ? {} : { ExclusiveStartKey: decodeCursor(cursor) }),
      }),
    );
    const ids = (result.Items ?? [])
      .map((item) => item.connectionId)
      .filter((id): id is string => typeof id === 'string');
    return result.LastEvaluatedKey === undefined
      ? { ids }
      : { ids, next: encodeCursor(result.LastEvaluatedKey) };
  }
}
