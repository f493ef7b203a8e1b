/**
 * The single-table design (README "Table design"): every key in one place. The index and TTL attribute names,
 * which the stack shares, are in `core/table-design.ts`.
 *
 * @module
 */
import { BROADCAST_SHARDS } from '../core/constants.js';

/** A primary key of the table. */
export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/** Sort-key prefix of the items that point at a connection (subscriptions and broadcast membership). */
export const MEMBER_PREFIX = 'CONN#';

/**
 * The broadcast shard (0..3) of a connection: FNV-1a over the id, so it is stable across containers and
 * spreads ids evenly without a lookup.
 */
export const broadcastShard = (connectionId: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < connectionId.length; i += 1) {
    hash = Math.imul(hash ^ connectionId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash % BROADCAST_SHARDS;
};

/** Partition key of one broadcast shard. */
export const broadcastPartition = (shard: number): string => `ALL#${shard}`;

/** Partition key of a channel (its subscriptions and its sequence counter). */
export const channelPartition = (channel: string): string => `CHAN#${channel}`;

/** The connection's `META` item. */
export const connectionKey = (connectionId: string): TableKey => ({ pk: `CONN#${connectionId}`, sk: 'META' });

/** The connection's broadcast membership. */
export const broadcastKey = (connectionId: string): TableKey => ({
  pk: broadcastPartition(broadcastShard(connectionId)),
  sk: `${MEMBER_PREFIX}${connectionId}`,
});

/** One subscription of a connection to a channel. */
export const subscriptionKey = (channel: string, connectionId: string): TableKey => ({
  pk: channelPartition(channel),
  sk: `${MEMBER_PREFIX}${connectionId}`,
});

/** The channel's `seq` counter. */
export const sequenceKey = (channel: string): TableKey => ({ pk: channelPartition(channel), sk: '#SEQ' });

/** Sort-key prefix of a channel's kept messages. */
export const MESSAGE_PREFIX = 'MSG#';

/** Digits of a zero-padded `seq` in a message's sort key, so keys sort in `seq` order. */
const SEQ_DIGITS = 16;

/** One kept message of a channel. */
export const messageKey = (channel: string, seq: number): TableKey => ({
  pk: channelPartition(channel),
  sk: `${MESSAGE_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}`,
});

/** Partition key of a board (its players and its version counter). */
export const boardPartition = (board: string): string => `BOARD#${board}`;

/** A player's entry on a board. */
export const playerKey = (board: string, player: string): TableKey => ({
  pk: boardPartition(board),
  sk: `PLAYER#${player}`,
});

/** The board's version counter. */
export const boardVersionKey = (board: string): TableKey => ({ pk: boardPartition(board), sk: '#VERSION' });

/** Partition key of a channel's presence set. */
export const presencePartition = (channel: string): string => `PRES#${channel}`;

/** One connection's presence in a channel. */
export const presenceKey = (channel: string, connectionId: string): TableKey => ({
  pk: presencePartition(channel),
  sk: `${MEMBER_PREFIX}${connectionId}`,
});
