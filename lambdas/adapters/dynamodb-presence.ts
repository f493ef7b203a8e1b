/**
 * `PresenceStore` on the single table: a present connection is an item `PRES#<channel>` / `CONN#<id>` with its
 * client id and name. It carries `connectionId`, so the `byConnection` index lists it and removing the
 * connection removes it (and reports the channel, for the `leave` event).
 *
 * @module
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Member } from '../core/frames.js';
import type { PresenceStore } from '../core/ports.js';
import { TTL_ATTRIBUTE } from '../core/table-design.js';
import { queryPages } from './query-pages.js';
import { MEMBER_PREFIX, presenceKey, presencePartition } from './table-keys.js';

/** Options of {@link DynamoDbPresenceStore}. */
export interface DynamoDbPresenceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

const memberOf = (item: Record<string, unknown>): Member | undefined => {
  const { connectionId, clientId, name } = item;
  if (typeof connectionId !== 'string') return undefined;
  return {
    clientId: typeof clientId === 'string' ? clientId : connectionId,
    ...(typeof name === 'string' ? { name } : {}),
    connectionId,
  };
};

/** See the module comment. */
export class DynamoDbPresenceStore implements PresenceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(options: DynamoDbPresenceStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? (() => Date.now());
  }

  async enter(channel: string, member: Member, expiresAt: number): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...presenceKey(channel, member.connectionId), ...member, [TTL_ATTRIBUTE]: expiresAt },
      }),
    );
  }

  async leave(channel: string, connectionId: string): Promise<Member | undefined> {
    const result = await this.#client.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { ...presenceKey(channel, connectionId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes === undefined ? undefined : memberOf(result.Attributes);
  }

  async *members(channel: string): AsyncIterable<Member[]> {
    for await (const items of this.#pages(channel)) {
      yield items.flatMap((item) => memberOf(item) ?? []);
    }
  }

  async *recipients(channel: string): AsyncIterable<string[]> {
    for await (const items of this.#pages(channel)) {
      const ids = items.flatMap((item) => (typeof item.connectionId === 'string' ? [item.connectionId] : []));
      if (ids.length > 0) yield ids;
    }
  }

  #pages(channel: string): AsyncGenerator<Record<string, unknown>[]> {
    return queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      // Expired (a lost $disconnect) but not yet deleted by TTL, which lags: not present any more.
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':pk': presencePartition(channel),
        ':member': MEMBER_PREFIX,
        ':now': Math.floor(this.#now() / 1000),
      },
      ConsistentRead: true,
    });
  }
}
