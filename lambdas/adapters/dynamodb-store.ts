/**
 * `ConnectionStore` on one DynamoDB table (README "Table design"), through the document client.
 *
 * Only single-item writes, `BatchWriteItem` and `Query` are used, never transactions or PartiQL, so the same
 * code runs against DynamoDB, DynamoDB Local and dynalite.
 *
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mergePages } from '../core/async-pages.js';
import { backoffDelayMs } from '../core/backoff.js';
import { BATCH_WRITE_RETRY_POLICY, BROADCAST_SHARDS, type RetryPolicy } from '../core/constants.js';
import { ProtocolError } from '../core/errors.js';
import { historyExpiry } from '../core/expiry.js';
import type { Member } from '../core/frames.js';
import type { ConnectionRecord, ConnectionStore, RemovedConnection } from '../core/ports.js';
import {
  BY_CONNECTION_INDEX,
  BY_USER_INDEX,
  TTL_ATTRIBUTE,
  USER_ID_ATTRIBUTE,
} from '../core/table-design.js';
import { queryPages } from './query-pages.js';
import {
  broadcastKey,
  broadcastPartition,
  channelPartition,
  connectionKey,
  MEMBER_PREFIX,
  presencePartition,
  sequenceKey,
  subscriptionKey,
  type TableKey,
} from './table-keys.js';

/** DynamoDB's limit of write requests in one `BatchWriteItem`. */
export const BATCH_WRITE_LIMIT = 25;

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Options of {@link DynamoDbConnectionStore}. */
export interface DynamoDbConnectionStoreOptions {
  /** A document client, built once per container and injected (tests inject a mocked one). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** Waits between `UnprocessedItems` retries. @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** @default BATCH_WRITE_RETRY_POLICY */
  readonly batchRetry?: RetryPolicy;
  /**
   * Subscriptions one connection may hold (`MAX_SUBSCRIPTIONS_PER_CONNECTION`), counted on its `META` item.
   *
   * @default no cap and no counter
   */
  readonly maxSubscriptions?: number;
}

/** Attribute of `META` counting the connection's subscriptions. */
export const SUBSCRIPTIONS_ATTRIBUTE = 'subscriptionCount';

/** A `BatchWriteItem` still had unprocessed items after every retry (the table is being throttled). */
export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
  readonly unprocessed: number;

  constructor(unprocessed: number, attempts: number) {
    super(`${unprocessed} write request(s) were still unprocessed after ${attempts} attempts`);
    this.unprocessed = unprocessed;
  }
}

/** DynamoDB answered without an attribute it must return. */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
}

const keyId = (key: TableKey): string => `${key.pk}\u0000${key.sk}`;

/**
 * The store every handler uses in AWS and in the offline runtime.
 *
 * @example
 * const store = new DynamoDbConnectionStore({ client: documentClient, tableName: 'Connections' });
 * for await (const ids of store.subscribers('lobby')) console.log(ids);
 */
export class DynamoDbConnectionStore implements ConnectionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #batchRetry: RetryPolicy;
  readonly #maxSubscriptions: number | undefined;

  constructor(options: DynamoDbConnectionStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? (() => Date.now());
    this.#sleep = options.sleep ?? ((ms) => sleepFor(ms).then(() => undefined));
    this.#random = options.random ?? Math.random;
    this.#batchRetry = options.batchRetry ?? BATCH_WRITE_RETRY_POLICY;
    this.#maxSubscriptions = options.maxSubscriptions;
  }

  /** Writes `META` and the broadcast membership in one `BatchWriteItem`. */
  async putConnection(c: ConnectionRecord): Promise<void> {
    const common = { connectionId: c.connectionId, [TTL_ATTRIBUTE]: c.expiresAt };
    await this.#writeBatch([
      {
        PutRequest: {
          Item: {
            ...connectionKey(c.connectionId),
            ...common,
            connectedAt: c.connectedAt,
            sourceIp: c.sourceIp,
            userAgent: c.userAgent,
            clientId: c.clientId,
            name: c.name,
            [USER_ID_ATTRIBUTE]: c.userId,
          },
        },
      },
      { PutRequest: { Item: { ...broadcastKey(c.connectionId), ...common } } },
    ]);
  }

  /**
   * Deletes every item of the connection. The `byConnection` index lists them page by page; `META` and the
   * broadcast membership are deleted by their known keys as well, because a GSI is eventually consistent
   * and a connection that closes right after opening may not be indexed yet.
   */
  async removeConnection(connectionId: string): Promise<RemovedConnection> {
    const member = await this.member(connectionId);
    const presenceChannels: string[] = [];
    const presencePrefix = presencePartition('');
    const seen = new Set<string>();
    let pending: TableKey[] = [];
    const add = (key: TableKey): void => {
      if (!seen.has(keyId(key))) {
        seen.add(keyId(key));
        pending.push(key);
        if (key.pk.startsWith(presencePrefix)) presenceChannels.push(key.pk.slice(presencePrefix.length));
      }
    };
    const flush = async (all: boolean): Promise<void> => {
      while (pending.length >= (all ? 1 : BATCH_WRITE_LIMIT)) {
        const chunk = pending.slice(0, BATCH_WRITE_LIMIT);
        pending = pending.slice(BATCH_WRITE_LIMIT);
        await this.#writeBatch(chunk.map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } })));
      }
    };
    add(connectionKey(connectionId));
    add(broadcastKey(connectionId));
    for await (const keys of this.#indexedKeys(connectionId)) {
      for (const key of keys) {
        add(key);
      }
      await flush(false);
    }
    await flush(true);
    return { member, presenceChannels };
  }

  /** Reads `clientId` and `name` from the `META` item (strongly consistent: it was written at `$connect`). */
  async member(connectionId: string): Promise<Member> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ...connectionKey(connectionId) },
        ProjectionExpression: 'clientId, #name',
        ExpressionAttributeNames: { '#name': 'name' },
        ConsistentRead: true,
      }),
    );
    const clientId = result.Item?.clientId;
    const name = result.Item?.name;
    return {
      clientId: typeof clientId === 'string' ? clientId : connectionId,
      ...(typeof name === 'string' ? { name } : {}),
      connectionId,
    };
  }

  /**
   * Puts the subscription item; subscribing twice just refreshes it.
   *
   * With a cap, the connection's counter on `META` is incremented first by a conditional `ADD` (so two
   * concurrent subscribes can never both take the last place), then the subscription is put. The counter is
   * given back when the put fails, and when the put replaced a subscription that existed already, so it
   * counts each subscription once.
   *
   * @throws {ProtocolError} `LIMIT_EXCEEDED` when the connection holds the maximum already.
   */
  async subscribe(connectionId: string, channel: string, expiresAt: number): Promise<void> {
    const max = this.#maxSubscriptions;
    if (max === undefined) {
      await this.#putSubscription(connectionId, channel, expiresAt);
      return;
    }
    const counted = await this.#countSubscription(connectionId, channel, max);
    if (counted === 'already subscribed') {
      await this.#putSubscription(connectionId, channel, expiresAt);
      return;
    }
    let replaced: boolean;
    try {
      replaced = await this.#putSubscription(connectionId, channel, expiresAt);
    } catch (error) {
      if (counted === 'counted') await this.#uncountSubscription(connectionId);
      throw error;
    }
    if (replaced && counted === 'counted') {
      await this.#uncountSubscription(connectionId);
    }
  }

  /** Deletes the subscription item (a no-op when absent), giving its place back when it existed. */
  async unsubscribe(connectionId: string, channel: string): Promise<void> {
    if (this.#maxSubscriptions === undefined) {
      await this.#client.send(
        new DeleteCommand({ TableName: this.#tableName, Key: { ...subscriptionKey(channel, connectionId) } }),
      );
      return;
    }
    const result = await this.#client.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { ...subscriptionKey(channel, connectionId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (result?.Attributes !== undefined) {
      await this.#uncountSubscription(connectionId);
    }
  }

  /** Puts the subscription; resolves whether it replaced one. */
  async #putSubscription(connectionId: string, channel: string, expiresAt: number): Promise<boolean> {
    const result = await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...subscriptionKey(channel, connectionId),
          connectionId,
          subscribedAt: this.#now(),
          [TTL_ATTRIBUTE]: expiresAt,
        },
        ...(this.#maxSubscriptions === undefined ? {} : { ReturnValues: 'ALL_OLD' as const }),
      }),
    );
    return result?.Attributes !== undefined;
  }

  /**
   * Takes a place: `ADD subscriptionCount 1` if it is below `max`. At the cap, a subscription that exists
   * already may still be refreshed; a connection without `META` (being removed) is not counted.
   */
  async #countSubscription(
    connectionId: string,
    channel: string,
    max: number,
  ): Promise<'counted' | 'already subscribed' | 'uncounted'> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...connectionKey(connectionId) },
          UpdateExpression: 'ADD #count :one',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#count) OR #count < :max)',
          ExpressionAttributeNames: { '#pk': 'pk', '#count': SUBSCRIPTIONS_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':max': max },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'counted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ...subscriptionKey(channel, connectionId) },
        ConsistentRead: true,
      }),
    );
    if (existing?.Item !== undefined) return 'already subscribed';
    const meta = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ...connectionKey(connectionId) },
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    if (meta?.Item === undefined) return 'uncounted';
    throw new ProtocolError('LIMIT_EXCEEDED', `a connection may hold at most ${max} subscriptions`);
  }

  /** Gives a place back (`ADD subscriptionCount -1`, never below 0); best effort, TTL bounds any drift. */
  async #uncountSubscription(connectionId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...connectionKey(connectionId) },
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': SUBSCRIPTIONS_ATTRIBUTE },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** `Query pk = CHAN#<channel> AND begins_with(sk, 'CONN#')`, skipping the `#SEQ` item. */
  subscribers(channel: string): AsyncIterable<string[]> {
    return this.#queryIds(channelPartition(channel));
  }

  /** The 4 broadcast shards, queried at once; pages come in the order they arrive. */
  everyone(): AsyncIterable<string[]> {
    return mergePages(
      Array.from({ length: BROADCAST_SHARDS }, (_, shard) => this.#queryIds(broadcastPartition(shard))),
    );
  }

  /** `Query userId = :user` on the sparse `byUser` index (only `META` items carry `userId`), page by page. */
  async *connectionsOf(userId: string): AsyncGenerator<string[]> {
    for await (const items of this.#pages(this.#userQuery(userId))) {
      const ids = items.map((item) => item.connectionId).filter((id): id is string => typeof id === 'string');
      if (ids.length > 0) {
        yield ids;
      }
    }
  }

  /**
   * One `Query` on `byUser` with `Select: COUNT` and `Limit: limit`: DynamoDB stops after `limit` entries, so
   * the cost is bounded whatever the user has open. Eventually consistent (a GSI cannot be read otherwise).
   */
  async countConnectionsOf(userId: string, limit: number): Promise<number> {
    const result = await this.#client.send(
      new QueryCommand({ ...this.#userQuery(userId), Select: 'COUNT', Limit: limit }),
    );
    return result.Count ?? 0;
  }

  #userQuery(userId: string): QueryCommandInput {
    return {
      TableName: this.#tableName,
      IndexName: BY_USER_INDEX,
      KeyConditionExpression: '#user = :user',
      ExpressionAttributeNames: { '#user': USER_ID_ATTRIBUTE },
      ExpressionAttributeValues: { ':user': userId },
    };
  }

  /**
   * `ADD seq :one` is atomic, so concurrent publishers each get a distinct number. The counter expires with
   * the kept history (24 h after the last publish), so a channel restarts at 1 only once none of its messages
   * is kept any more.
   */
  async nextSequence(channel: string): Promise<number> {
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { ...sequenceKey(channel) },
        // `ttl` is a DynamoDB reserved word; both names are aliased for uniformity.
        UpdateExpression: 'ADD #seq :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#seq': 'seq', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':ttl': historyExpiry(this.#now()) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const seq = result.Attributes?.seq;
    if (typeof seq !== 'number') {
      throw new UnexpectedResponseError(`UpdateItem on channel ${channel} returned no numeric seq`);
    }
    return seq;
  }

  async *#queryIds(partition: string): AsyncGenerator<string[]> {
    // Strongly consistent, so a subscribe acknowledged a moment ago is seen by the next publish.
    const query: QueryCommandInput = {
      TableName: this.#tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :member)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cid': 'connectionId' },
      ExpressionAttributeValues: { ':pk': partition, ':member': MEMBER_PREFIX },
      ProjectionExpression: '#cid',
      ConsistentRead: true,
    };
    for await (const items of this.#pages(query)) {
      const ids = items.map((item) => item.connectionId).filter((id): id is string => typeof id === 'string');
      if (ids.length > 0) {
        yield ids;
      }
    }
  }

  async *#indexedKeys(connectionId: string): AsyncGenerator<TableKey[]> {
    const query: QueryCommandInput = {
      TableName: this.#tableName,
      IndexName: BY_CONNECTION_INDEX,
      KeyConditionExpression: '#cid = :cid',
      ExpressionAttributeNames: { '#cid': 'connectionId' },
      ExpressionAttributeValues: { ':cid': connectionId },
    };
    for await (const items of this.#pages(query)) {
      yield items.flatMap((item) =>
        typeof item.pk === 'string' && typeof item.sk === 'string' ? [{ pk: item.pk, sk: item.sk }] : [],
      );
    }
  }

  #pages(query: QueryCommandInput): AsyncGenerator<Record<string, unknown>[]> {
    return queryPages(this.#client, query);
  }

  /** One `BatchWriteItem` (≤ 25 requests), resending `UnprocessedItems` with full-jitter backoff. */
  async #writeBatch(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.#client.send(
        new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }),
      );
      const unprocessed = result.UnprocessedItems?.[this.#tableName] ?? [];
      if (unprocessed.length === 0) {
        return;
      }
      if (attempt >= this.#batchRetry.maxAttempts) {
        throw new UnprocessedItemsError(unprocessed.length, attempt);
      }
      await this.#sleep(backoffDelayMs(attempt, this.#batchRetry, this.#random));
      pending = unprocessed;
    }
  }
}
