/**
 * The TTL path of presence: a present connection that vanished without `$disconnect` (and was never found gone
 * by a fan-out) keeps its presence item until DynamoDB's TTL deletes it. The table's stream reports that
 * deletion; this module decides which removals are such an expiry and who left where.
 *
 * No AWS code: the stream record is decoded by `adapters/dynamodb-stream.ts`.
 *
 * @module
 */
import type { Member } from './frames.js';

/** One item removed from the table, as the stream reports it (decoded). */
export interface RemovedItem {
  /** True when DynamoDB's TTL deleted it (not a user's or a function's delete). */
  readonly expiredByTtl: boolean;
  /** The channel when the item was a presence item (`PRES#<channel>`), otherwise undefined. */
  readonly presenceChannel: string | undefined;
  /** The item's attributes before the removal (the stream's old image). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A member whose presence expired, and the channel it leaves. */
export interface ExpiredPresence {
  readonly channel: string;
  readonly member: Member;
}

/**
 * The `leave` an expiry implies, or undefined when there is none: the removal was not by TTL (`$disconnect`,
 * `unsubscribe` and the 410 cleanup announce their own), the item was no presence item, or it names no
 * connection. The member is who the item says: its client id (the connection id when it has none) and name.
 */
export const expiredPresence = (removed: RemovedItem | undefined): ExpiredPresence | undefined => {
  if (removed === undefined || !removed.expiredByTtl || removed.presenceChannel === undefined)
    return undefined;
  const { connectionId, clientId, name } = removed.attributes;
  if (typeof connectionId !== 'string' || connectionId === '') return undefined;
  return {
    channel: removed.presenceChannel,
    member: {
      clientId: typeof clientId === 'string' ? clientId : connectionId,
      ...(typeof name === 'string' ? { name } : {}),
      connectionId,
    },
  };
};
