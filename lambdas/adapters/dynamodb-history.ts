/**
 * `HistoryStore` on the single table: each kept message is an item `CHAN#<channel>` / `MSG#<seq, padded>`
 * holding the exact frame subscribers received, beside the channel's subscriptions and `seq` counter.
 *
 * @module
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageEnvelope } from '../core/frames.js';
import type { HistoryStore } from '../core/ports.js';
import { TTL_ATTRIBUTE } from '../core/table-design.js';
import { queryPages } from './query-pages.js';
import { channelPartition, MESSAGE_PREFIX, messageKey, sequenceKey } from './table-keys.js';

/** Options of {@link DynamoDbHistoryStore}. */
export interface DynamoDbHistoryStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Reads strongly consistent pages of kept messages that have not expired yet (TTL deletes lag). */
export class DynamoDbHistoryStore implements HistoryStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(options: DynamoDbHistoryStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Puts the message and deletes the one `keep` places older, at once. */
  async keep(message: MessageEnvelope, keep: number, expiresAt: number): Promise<void> {
    const put = this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...messageKey(message.channel, message.seq),
          seq: message.seq,
          frame: JSON.stringify(message),
          [TTL_ATTRIBUTE]: expiresAt,
        },
      }),
    );
    const trim =
      message.seq > keep
        ? this.#client.send(
            new DeleteCommand({
              TableName: this.#tableName,
              Key: { ...messageKey(message.channel, message.seq - keep) },
            }),
          )
        : Promise.resolve();
    // The trim is best effort: a kept message must also be delivered, so a failed trim must not fail the
    // publish (reads are bounded by their limit, and TTL removes what a failed trim left).
    await Promise.all([put, trim.catch(() => undefined)]);
  }

  async after(channel: string, after: number, limit: number): Promise<MessageEnvelope[]> {
    return this.#query(channel, {
      // A key condition allows one condition on the sort key; BETWEEN is inclusive, so it starts at after + 1.
      range: '#sk BETWEEN :from AND :to',
      values: {
        ':from': messageKey(channel, after + 1).sk,
        ':to': messageKey(channel, Number.MAX_SAFE_INTEGER).sk,
      },
      limit,
      newestFirst: false,
    });
  }

  async latest(channel: string, limit: number): Promise<MessageEnvelope[]> {
    const newestFirst = await this.#query(channel, {
      range: 'begins_with(#sk, :prefix)',
      values: { ':prefix': MESSAGE_PREFIX },
      limit,
      newestFirst: true,
    });
    return newestFirst.reverse();
  }

  async currentSequence(channel: string): Promise<number> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { ...sequenceKey(channel) }, ConsistentRead: true }),
    );
    const seq = result.Item?.seq;
    return typeof seq === 'number' ? seq : 0;
  }

  async #query(
    channel: string,
    q: { range: string; values: Record<string, string>; limit: number; newestFirst: boolean },
  ): Promise<MessageEnvelope[]> {
    const messages: MessageEnvelope[] = [];
    // DynamoDB refuses `Limit: 0`, which a channel that keeps nothing (HISTORY_SIZE=0) asks for.
    if (q.limit < 1) return messages;
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: `#pk = :pk AND ${q.range}`,
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':pk': channelPartition(channel),
        ':now': Math.floor(this.#now() / 1000),
        ...q.values,
      },
      ScanIndexForward: !q.newestFirst,
      Limit: q.limit,
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        if (typeof item.frame === 'string') messages.push(JSON.parse(item.frame) as MessageEnvelope);
        if (messages.length >= q.limit) return messages;
      }
    }
    return messages;
  }
}
