/**
 * `RateLimiter` on the connection's `META` item: the GCRA timestamp (`rlTat`, epoch ms) and the refusal count
 * (`rlRefusals`) live next to the connection, expire with it, and are moved by conditional `UpdateItem`s, so
 * concurrent messages of one connection (API Gateway runs them in parallel Lambdas) can never both spend the
 * same slot: there is no read-modify-write without a condition on what was read.
 *
 * The usual message costs one write: a connection whose bucket is empty (its TAT is in the past) gets
 * `SET rlTat = now + interval` on the condition `rlTat <= now`. Only when that condition fails, i.e. the
 * connection is sending in a burst, does DynamoDB hand back the stored TAT with the failure
 * (`ReturnValuesOnConditionCheckFailure`), and the second write is a compare-and-set on exactly that value
 * (`rlTat = :seen`), or, when GCRA refuses, an atomic `ADD rlRefusals 1`.
 *
 * @module
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Admission,
  emissionIntervalMs,
  gcra,
  type RateLimit,
  type RateLimiter,
} from '../core/rate-limit.js';
import { connectionKey } from './table-keys.js';

/** Attribute of `META` holding the theoretical arrival time (epoch ms). */
export const TAT_ATTRIBUTE = 'rlTat';
/** Attribute of `META` counting refusals since the bucket last ran empty. */
export const REFUSALS_ATTRIBUTE = 'rlRefusals';

/** Compare-and-set rounds before a message that keeps losing the race to its siblings is refused. */
const MAX_ROUNDS = 4;

const NAMES = { '#pk': 'pk', '#tat': TAT_ATTRIBUTE, '#refusals': REFUSALS_ATTRIBUTE };

/** Options of {@link DynamoDbRateLimiter}. */
export interface DynamoDbRateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly limit: RateLimit;
}

/** What the previous round learnt about the item. */
type Seen = { readonly exists: false } | { readonly exists: true; readonly tat: number | undefined };

const seenFrom = (item: Record<string, unknown> | undefined): Seen => {
  if (item === undefined) {
    return { exists: false };
  }
  const tat = item[TAT_ATTRIBUTE];
  return { exists: true, tat: typeof tat === 'number' ? tat : undefined };
};

/** The stored item a failed condition returned, unmarshalled just enough (the document client does not). */
const itemOfFailure = (error: ConditionalCheckFailedException): Record<string, unknown> | undefined => {
  const item = error.Item;
  if (item === undefined) {
    return undefined;
  }
  const tat = item[TAT_ATTRIBUTE]?.N;
  return { [TAT_ATTRIBUTE]: tat === undefined ? undefined : Number(tat) };
};

/**
 * The limiter every message route uses.
 *
 * @example
 * const limiter = new DynamoDbRateLimiter({ client: documentClient, tableName, limit: DEFAULT_RATE_LIMIT });
 * const admission = await limiter.admit(connectionId, Date.now());
 */
export class DynamoDbRateLimiter implements RateLimiter {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #limit: RateLimit;

  constructor(options: DynamoDbRateLimiterOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#limit = options.limit;
  }

  /**
   * Admits or refuses one message. A connection without a `META` item (it is being removed) is admitted:
   * the route then fails or succeeds as it would have, and nothing is written that would outlive it.
   */
  async admit(connectionId: string, now: number): Promise<Admission> {
    let seen = await this.#whenEmpty(connectionId, now);
    for (let round = 0; seen !== 'admitted' && round < MAX_ROUNDS; round += 1) {
      if (!seen.exists) {
        return { allowed: true };
      }
      if (seen.tat === undefined || seen.tat <= now) {
        seen = await this.#whenEmpty(connectionId, now);
        continue;
      }
      const decision = gcra(seen.tat, now, this.#limit);
      if (!decision.allowed) {
        return this.#refuse(connectionId, decision.retryAfterMs);
      }
      seen = await this.#compareAndSet(connectionId, seen.tat, decision.tat);
    }
    if (seen === 'admitted') {
      return { allowed: true };
    }
    // Lost every round to the connection's own concurrent messages: that alone is a burst.
    return this.#refuse(connectionId, Math.ceil(emissionIntervalMs(this.#limit)));
  }

  /** The one-write path: the bucket is empty, so the TAT restarts from now and the refusals are forgiven. */
  #whenEmpty(connectionId: string, now: number): Promise<Seen | 'admitted'> {
    return this.#conditionalUpdate(connectionId, {
      UpdateExpression: 'SET #tat = :next REMOVE #refusals',
      ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#tat) OR #tat <= :now)',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':next': now + emissionIntervalMs(this.#limit), ':now': now },
    });
  }

  /** Moves the TAT from exactly what was seen, so a concurrent message that moved it first wins. */
  #compareAndSet(connectionId: string, seenTat: number, next: number): Promise<Seen | 'admitted'> {
    return this.#conditionalUpdate(connectionId, {
      UpdateExpression: 'SET #tat = :next',
      ConditionExpression: '#tat = :seen',
      ExpressionAttributeNames: { '#tat': TAT_ATTRIBUTE },
      ExpressionAttributeValues: { ':next': next, ':seen': seenTat },
    });
  }

  async #conditionalUpdate(
    connectionId: string,
    expression: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<Seen | 'admitted'> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...connectionKey(connectionId) },
          ...expression,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'admitted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw error;
      }
      // DynamoDB returns the item that failed the condition; an engine that does not (older emulators)
      // costs one strongly consistent read instead.
      return seenFrom(itemOfFailure(error) ?? (await this.#read(connectionId)));
    }
  }

  async #read(connectionId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ...connectionKey(connectionId) },
        ProjectionExpression: '#tat, #pk',
        ExpressionAttributeNames: { '#tat': TAT_ATTRIBUTE, '#pk': 'pk' },
        ConsistentRead: true,
      }),
    );
    return result?.Item;
  }

  /** Counts the refusal on the item (atomic `ADD`) and says how many there were. */
  async #refuse(connectionId: string, retryAfterMs: number): Promise<Admission> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...connectionKey(connectionId) },
          UpdateExpression: 'ADD #refusals :one',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk', '#refusals': REFUSALS_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const refusals = result?.Attributes?.[REFUSALS_ATTRIBUTE];
      return { allowed: false, retryAfterMs, refusals: typeof refusals === 'number' ? refusals : 1 };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The connection's item went away between the two writes: refuse this one, close nothing.
        return { allowed: false, retryAfterMs, refusals: 0 };
      }
      throw error;
    }
  }
}
