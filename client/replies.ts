/**
 * What the request methods resolve with: the reply frames of `publish`, `score`, `top`, `presence` and
 * `history`, read field by field so that a missing or mistyped field becomes a safe default instead of
 * `undefined` where a number is promised.
 *
 * @module
 */
import {
  envelopesOf,
  isLeaderboardSnapshot,
  isPresenceMember,
  type LeaderboardEntry,
  type MessageEnvelope,
  type PresenceMember,
  type TypedFrame,
} from './protocol.js';

/** Ack of `publish`. */
export interface PublishResult {
  readonly seq: number;
  /** How many subscribers it was sent to so far. */
  readonly delivered: number;
  /** `queued`: the server goes on delivering in the background. */
  readonly fanout?: 'queued';
}

/** Ack of `sendToUser`. */
export interface SendToUserResult {
  readonly user: string;
  /** How many of the user's open connections it reached (0 when none is open). */
  readonly delivered: number;
}

/** Ack of `score`. */
export interface ScoreResult {
  readonly board: string;
  readonly player: string;
  /** The player's total after this change. */
  readonly score: number;
  /** The board's version after this change. */
  readonly version: number;
}

/** Reply to `top`. */
export interface TopResult {
  readonly board: string;
  readonly version: number;
  readonly top: readonly LeaderboardEntry[];
}

/** Options of `history`. */
export interface HistoryOptions {
  /** Only messages after this seq. */
  readonly since?: number;
  /** At most this many messages. */
  readonly limit?: number;
}

/** Reply to `history`. */
export interface HistoryResult<T = unknown> {
  readonly channel: string;
  /** The channel's latest seq. */
  readonly seq: number;
  /** Oldest first. */
  readonly messages: readonly MessageEnvelope<T>[];
  /** False when `since` is older than the history the server keeps. */
  readonly recovered: boolean;
  /** More messages follow: ask again with `since` set to the last seq received. */
  readonly more: boolean;
}

const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** Reads a `published` ack. */
export const publishResult = (frame: TypedFrame): PublishResult => {
  const result = { seq: numberOr(frame.seq, 0), delivered: numberOr(frame.delivered, 0) };
  return frame.fanout === 'queued' ? { ...result, fanout: 'queued' } : result;
};

/** Reads a `sent` ack. */
export const sendToUserResult = (frame: TypedFrame, user: string): SendToUserResult => ({
  user,
  delivered: numberOr(frame.delivered, 0),
});

/** Reads a `scored` ack. */
export const scoreResult = (frame: TypedFrame, board: string, player: string): ScoreResult => ({
  board,
  player,
  score: numberOr(frame.score, 0),
  version: numberOr(frame.version, 0),
});

/** Reads a `leaderboard` reply. */
export const topResult = (frame: TypedFrame, board: string): TopResult =>
  isLeaderboardSnapshot(frame)
    ? { board: frame.board, version: frame.version, top: frame.top }
    : { board, version: 0, top: [] };

/** Reads the members of a `presence` reply, leaving out malformed entries. */
export const presenceMembers = (frame: TypedFrame): PresenceMember[] =>
  Array.isArray(frame.members) ? frame.members.filter(isPresenceMember) : [];

/** Reads a `history` reply. */
export const historyResult = <T>(frame: TypedFrame, channel: string): HistoryResult<T> => ({
  channel,
  seq: numberOr(frame.seq, 0),
  messages: envelopesOf(frame.messages) as MessageEnvelope<T>[],
  recovered: frame.recovered !== false,
  more: frame.more === true,
});
