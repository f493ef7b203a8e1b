/**
 * `RecipientPages` on the table: one `Query` page of a channel's subscribers, one broadcast shard, a channel's
 * present members or a user's connections (on the `byUser` index), from a cursor that is the page's
 * `LastEvaluatedKey` encoded as base64url JSON, so it can travel in a queue message.
 *
 * @module
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RecipientPage, RecipientPages, RecipientSource } from '../core/ports.js';
import { BY_USER_INDEX, TTL_ATTRIBUTE, USER_ID_ATTRIBUTE } from '../core/table-design.js';
import { broadcastPartition, channelPartition, MEMBER_PREFIX, presencePartition } from './table-keys.js';

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

/** The members of one partition (`CONN#…` sort keys), strongly consistent. */
const memberQuery = (partition: string): Omit<QueryCommandInput, 'TableName'> => ({
  KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :member)',
  ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cid': 'connectionId' },
  ExpressionAttributeValues: { ':pk': partition, ':member': MEMBER_PREFIX },
  ConsistentRead: true,
});

/** The query of one source's recipients, as the store and the presence store read them. */
const queryOf = (source: RecipientSource, nowSeconds: number): Omit<QueryCommandInput, 'TableName'> => {
  if ('channel' in source) return memberQuery(channelPartition(source.channel));
  if ('shard' in source) return memberQuery(broadcastPartition(source.shard));
  if ('presence' in source) {
    const query = memberQuery(presencePartition(source.presence));
    // Expired (a lost $disconnect) but not yet deleted by TTL, which lags: not present any more.
    return {
      ...query,
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':now': nowSeconds },
    };
  }
  // The sparse `byUser` index: a GSI, so eventually consistent.
  return {
    IndexName: BY_USER_INDEX,
    KeyConditionExpression: '#user = :user',
    ExpressionAttributeNames: { '#user': USER_ID_ATTRIBUTE, '#cid': 'connectionId' },
    ExpressionAttributeValues: { ':user': source.user },
  };
};

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

  readonly #now: () => number;

  constructor(options: {
    readonly client: DynamoDBDocumentClient;
    readonly tableName: string;
    /** The clock that decides which presence items have expired. @default Date.now */
    readonly now?: () => number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  async page(source: RecipientSource, cursor: string | undefined, limit: number): Promise<RecipientPage> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        ...queryOf(source, Math.floor(this.#now() / 1000)),
        ProjectionExpression: '#cid',
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
