/**
 * `LeaderboardStore` on the single table: a player is an item `BOARD#<board>` / `PLAYER#<player>` whose
 * `score` moves by atomic `ADD`; the board's version is an atomic counter `BOARD#<board>` / `#VERSION`; the
 * ranking is a strongly consistent `Query` on the local index `byRank`, never a scan.
 *
 * The rank key is a string that sorts like (score, earlier first): the score offset into a fixed-width
 * decimal, then the time the player reached it, inverted, then the player id. It is written by a second
 * `UpdateItem`, conditional on the score it was computed for, so a slower writer never overwrites the rank
 * key of a newer score.
 *
 * @module
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_SCORE } from '../core/constants.js';
import { ProtocolError } from '../core/errors.js';
import type { BoardEntry, LeaderboardStore } from '../core/ports.js';
import { RANK_ATTRIBUTE, RANK_INDEX } from '../core/table-design.js';
import { queryPages } from './query-pages.js';
import { boardPartition, boardVersionKey, playerKey } from './table-keys.js';

/** Digits of `score + MAX_SCORE` (from 0 to 2 × MAX_SCORE). */
const SCORE_DIGITS = String(2 * MAX_SCORE).length;
/** Epoch milliseconds are inverted against this (13 digits), so an earlier time sorts higher. */
const TIME_CEILING = 9_999_999_999_999;

/**
 * The rank key of a player: sorts by score, then (descending) by who reached it first, then by player id.
 *
 * @example
 * rankKey(120, 1764150000000, 'alice'); // '1000000000119#8235849999999#alice'
 */
export const rankKey = (score: number, reachedAtMs: number, player: string): string =>
  `${String(score + MAX_SCORE).padStart(SCORE_DIGITS, '0')}#${String(TIME_CEILING - reachedAtMs).padStart(13, '0')}#${player}`;

/** Options of {@link DynamoDbLeaderboardStore}. */
export interface DynamoDbLeaderboardStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** See the module comment. */
export class DynamoDbLeaderboardStore implements LeaderboardStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(options: DynamoDbLeaderboardStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? (() => Date.now());
  }

  /**
   * `ADD score :points`, refused (and nothing written) when the total would leave ±{@link MAX_SCORE}; then
   * the rank key for the new score.
   *
   * @throws {ProtocolError} `INVALID_REQUEST` when the score would leave its range.
   */
  async addPoints(board: string, player: string, points: number): Promise<number> {
    let score: unknown;
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...playerKey(board, player) },
          UpdateExpression: 'ADD score :points SET player = :player',
          ConditionExpression: 'attribute_not_exists(score) OR score BETWEEN :low AND :high',
          ExpressionAttributeValues: {
            ':points': points,
            ':player': player,
            ':low': -MAX_SCORE - Math.min(points, 0),
            ':high': MAX_SCORE - Math.max(points, 0),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      score = result.Attributes?.score;
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ProtocolError('INVALID_REQUEST', `the score of ${player} would leave ±${MAX_SCORE}`, {
          cause: error,
        });
      }
      throw error;
    }
    if (typeof score !== 'number')
      throw new Error(`UpdateItem on ${board}/${player} returned no numeric score`);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ...playerKey(board, player) },
          UpdateExpression: 'SET #rank = :rank',
          ConditionExpression: 'score = :score',
          ExpressionAttributeNames: { '#rank': RANK_ATTRIBUTE },
          ExpressionAttributeValues: { ':rank': rankKey(score, this.#now(), player), ':score': score },
        }),
      );
    } catch (error) {
      // A newer score landed meanwhile; its writer sets the rank key for it.
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return score;
  }

  async nextVersion(board: string): Promise<number> {
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { ...boardVersionKey(board) },
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const version = result.Attributes?.version;
    if (typeof version !== 'number') throw new Error(`UpdateItem on board ${board} returned no version`);
    return version;
  }

  async currentVersion(board: string): Promise<number> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { ...boardVersionKey(board) },
        ConsistentRead: true,
      }),
    );
    const version = result.Item?.version;
    return typeof version === 'number' ? version : 0;
  }

  async top(board: string, limit: number): Promise<BoardEntry[]> {
    const entries: BoardEntry[] = [];
    const pages = queryPages(this.#client, {
      TableName: this.#tableName,
      IndexName: RANK_INDEX,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': boardPartition(board) },
      ProjectionExpression: 'player, score',
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: limit,
    });
    for await (const items of pages) {
      for (const item of items) {
        if (typeof item.player === 'string' && typeof item.score === 'number') {
          entries.push({ player: item.player, score: item.score });
        }
        if (entries.length >= limit) return entries;
      }
    }
    return entries;
  }
}
