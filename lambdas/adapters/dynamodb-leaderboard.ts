/**
 * `LeaderboardStore` on the single table: a player is an item `BOARD#<board>` / `PLAYER#<player>`; the board's
 * version is an atomic counter `BOARD#<board>` / `#VERSION`; the ranking is a strongly consistent `Query` on
 * the local index `byRank`, never a scan.
 *
 * One `UpdateItem` moves both the `score` and the numeric rank key, atomically:
 * `rank = score × 10^13 + tie`, where `tie` (fixed when the player first scores) is `9999999999999 − epoch ms`,
 * so among equal scores the player who entered the board first ranks higher. Both grow by the same
 * arithmetic (`SET … = if_not_exists(…) + :delta`), so concurrent scores never lose an increment and the rank
 * key can never disagree with the score. The rank key needs up to 26 digits, more than a JavaScript number
 * holds exactly, so it is written as a DynamoDB number string (`NumberValue`); it is never read back.
 *
 * @module
 */
import { type DynamoDBDocumentClient, GetCommand, NumberValue, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_SCORE } from '../core/constants.js';
import { ProtocolError } from '../core/errors.js';
import type { BoardEntry, LeaderboardStore } from '../core/ports.js';
import { RANK_ATTRIBUTE, RANK_INDEX } from '../core/table-design.js';
import { queryPages } from './query-pages.js';
import { boardPartition, boardVersionKey, playerKey } from './table-keys.js';

/** Epoch milliseconds are inverted against this (13 digits), so an earlier entry sorts higher. */
const TIME_CEILING = 9_999_999_999_999n;
/** The score's weight in the rank key: above every tie value. */
const SCORE_WEIGHT = 10_000_000_000_000n;

/**
 * The tie component of a player's rank key, fixed at its first score: earlier is larger.
 *
 * @example
 * tieBreak(1764150000000); // '8235849999999'
 */
export const tieBreak = (enteredAtMs: number): string => String(TIME_CEILING - BigInt(enteredAtMs));

/**
 * How much a score of `points` moves the rank key (`points × 10^13`), as a decimal string.
 *
 * @example
 * rankDelta(-5); // '-50000000000000'
 */
export const rankDelta = (points: number): string => String(BigInt(points) * SCORE_WEIGHT);

/**
 * The rank key of a player with `score` who entered the board at `enteredAtMs` (what the two updates add up
 * to; for tests and documentation).
 */
export const rankValue = (score: number, enteredAtMs: number): bigint =>
  BigInt(score) * SCORE_WEIGHT + TIME_CEILING - BigInt(enteredAtMs);

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
   * Adds `points` to the score and to the rank key in one `UpdateItem`, refused (and nothing written) when the
   * total would leave ±{@link MAX_SCORE}.
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
          UpdateExpression:
            'SET score = if_not_exists(score, :zero) + :points, #rank = if_not_exists(#rank, :tie) + :rankDelta, player = :player',
          ConditionExpression: 'attribute_not_exists(score) OR score BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#rank': RANK_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':points': points,
            ':tie': NumberValue.from(tieBreak(this.#now())),
            ':rankDelta': NumberValue.from(rankDelta(points)),
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
    if (typeof score !== 'number') {
      throw new Error(`UpdateItem on ${board}/${player} returned no numeric score`);
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
