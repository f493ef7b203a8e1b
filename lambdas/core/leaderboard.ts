/**
 * Leaderboards: atomic scoring, ranked snapshots and their fan-out to a board's viewers (the subscribers of
 * the channel with the board's name).
 *
 * Every snapshot carries the board's version. Scores fan out concurrently, so snapshots can arrive out of
 * order; clients drop any with a version not above the last they applied. That is enough for no viewer to
 * end on a stale board because each score is written **before** the version is incremented, and the ranking
 * is read (strongly consistent) **after**: the snapshot with the highest version was read after every
 * score of a lower version had landed.
 *
 * @module
 */
import type { FanOutOptions, FanOutPorts, FanOutResult } from './fan-out.js';
import { encodeFrame, type LeaderboardFrame, leaderboardFrame, type RankedEntry } from './frames.js';
import type { BoardEntry, ConnectionStore, LeaderboardStore } from './ports.js';
import { fanOutToSource, type QueuePlan } from './queued-fan-out.js';

/** Ranks entries that are already in order: 1, 2, 3… (ties were broken by the store: first to reach a score). */
export const ranked = (entries: readonly BoardEntry[]): RankedEntry[] =>
  entries.map((entry, index) => ({ rank: index + 1, player: entry.player, score: entry.score }));

/** A snapshot of the board: its version first, then the ranking (see the module comment). */
export const readLeaderboard = async (
  store: LeaderboardStore,
  board: string,
  limit: number,
): Promise<Omit<LeaderboardFrame, 'id'>> => {
  const version = await store.currentVersion(board);
  const top = version === 0 ? [] : await store.top(board, limit);
  return leaderboardFrame(board, version, ranked(top));
};

/** A score submission. */
export interface ScoreSubmission {
  readonly board: string;
  readonly player: string;
  readonly points: number;
}

/** Outcome of a score: the player's new total, the version it produced, and the snapshot's fan-out counts. */
export interface ScoreResult extends FanOutResult {
  readonly score: number;
  readonly version: number;
}

/**
 * Adds the points, increments the board's version, reads the top `size` and pushes that snapshot to the
 * board's viewers.
 *
 * @throws {ProtocolError} when the score would leave its range (nothing written).
 */
export const submitScore = async (
  ports: FanOutPorts & {
    readonly fanOutQueue?: QueuePlan;
    readonly leaderboard: LeaderboardStore;
    readonly store: Pick<ConnectionStore, 'subscribers' | 'removeConnection'>;
  },
  submission: ScoreSubmission,
  size: number,
  options: FanOutOptions,
): Promise<ScoreResult> => {
  const { board, player, points } = submission;
  const score = await ports.leaderboard.addPoints(board, player, points);
  const version = await ports.leaderboard.nextVersion(board);
  const top = await ports.leaderboard.top(board, size);
  const frame = encodeFrame(leaderboardFrame(board, version, ranked(top)));
  // A snapshot carries its board's `version`: clients keep the newest, so a repeat changes nothing.
  const result = await fanOutToSource(
    { channel: board },
    () => ports.store.subscribers(board),
    frame,
    { deduplicated: true },
    ports,
    options,
  );
  return { score, version, ...result };
};
