import type { Member, MessageEnvelope } from './frames.js';

/**
 * The seams of the core: what business logic needs from the outside world. Adapters in
 * `lambdas/adapters/` implement them on DynamoDB and the API Gateway Management API; tests use fakes.
 *
 * @module
 */

/** What we remember about an open connection (the `META` item). */
export interface ConnectionRecord {
  readonly connectionId: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  readonly connectedAt: number;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** The stable id the client gave at connect (`?clientId=`), else the connection id. */
  readonly clientId: string;
  /** The display name given at connect (`?name=`). */
  readonly name?: string;
  /**
   * Who the connection belongs to: the authorizer's `userId` when auth is on, else the `clientId`. Every
   * connection of one user shares it; `sendtouser` and the publisher reach them all through it.
   */
  readonly userId: string;
  /** When the item may be reaped by DynamoDB TTL, epoch **seconds**. */
  readonly expiresAt: number;
}

/** What removing a connection left to announce: who it was, and the channels where it was present. */
export interface RemovedConnection {
  readonly member: Member;
  readonly presenceChannels: readonly string[];
}

/** Who is connected and who is subscribed to what. */
export interface ConnectionStore {
  /** Writes the connection's `META` item and its broadcast membership. */
  putConnection(c: ConnectionRecord): Promise<void>;
  /**
   * Deletes every item of that connection: `META`, broadcast membership, subscriptions and presence; says
   * who it was and where it was present, so the caller can announce its `leave`.
   */
  removeConnection(connectionId: string): Promise<RemovedConnection>;
  /** Who a connection is (from its `META` item); a connection without one is known by its id alone. */
  member(connectionId: string): Promise<Member>;
  /**
   * Subscribes a connection to a channel; idempotent. `expiresAt` is epoch seconds.
   *
   * @throws {ProtocolError} `LIMIT_EXCEEDED` when the connection holds its maximum of subscriptions.
   */
  subscribe(connectionId: string, channel: string, expiresAt: number): Promise<void>;
  /** Removes one subscription; idempotent. */
  unsubscribe(connectionId: string, channel: string): Promise<void>;
  /** The subscribers of a channel, one page of connection ids at a time. */
  subscribers(channel: string): AsyncIterable<string[]>;
  /** All open connections, page by page. */
  everyone(): AsyncIterable<string[]>;
  /**
   * The open connections of a user, one page of connection ids at a time (a `Query` on the `byUser` index,
   * eventually consistent: a connection opened a moment ago may be missing).
   */
  connectionsOf(userId: string): AsyncIterable<string[]>;
  /** How many connections the user has open, counting at most `limit` (one bounded `Query`, `COUNT`). */
  countConnectionsOf(userId: string, limit: number): Promise<number>;
  /** Atomically increments the channel's counter and returns the new value (1 for the first publish). */
  nextSequence(channel: string): Promise<number>;
}

/** How one post may run. */
export interface SendOptions {
  /** Give up (a retryable failure that may have landed) after this long; the fan-out caps it by its deadline. */
  readonly timeoutMs?: number;
}

/** Pushes frames to connections. */
export interface Messenger {
  /**
   * Sends one text frame. Resolves `'gone'` when the connection no longer exists; throws
   * `RetryableSendError` on throttling, 5xx, network failures and timeouts, and anything else as is.
   */
  send(connectionId: string, frame: string, options?: SendOptions): Promise<'sent' | 'gone'>;
  /**
   * Closes the connection (API Gateway then runs `$disconnect`). Resolves `'gone'` when it was closed
   * already; throws `RetryableSendError` on throttling, 5xx and network failures.
   */
  close(connectionId: string): Promise<'closed' | 'gone'>;
}

/**
 * Whose recipients a queued fan-out reads: a channel's subscribers, one broadcast shard (everyone), the members
 * present in a channel (its `join`/`leave` audience), or one user's open connections.
 */
export type RecipientSource =
  | { readonly channel: string }
  | { readonly shard: number }
  | { readonly presence: string }
  | { readonly user: string };

/** One page of recipients and where the next one starts. */
export interface RecipientPage {
  readonly ids: string[];
  /** Opaque cursor of the next page (the query's `LastEvaluatedKey`); absent on the last page. */
  readonly next?: string;
}

/** Recipients read one page at a time from a cursor that can travel in a queue message. */
export interface RecipientPages {
  /** At most `limit` recipients of `source` after `cursor` (from the start when `undefined`). */
  page(source: RecipientSource, cursor: string | undefined, limit: number): Promise<RecipientPage>;
}

/** How a slice is enqueued. */
export interface EnqueueOptions {
  /** Seconds before the slices become visible to workers (a retry's backoff; SQS allows 0–900). */
  readonly delaySeconds?: number;
}

/** The fan-out queue (SQS in AWS): slices of a fan-out for workers to deliver. */
export interface FanOutQueue {
  /** Enqueues every slice, or throws (nothing is known to be lost: the caller retries or fails). */
  enqueue(slices: readonly FanOutSlice[], options?: EnqueueOptions): Promise<void>;
  /**
   * Moves slices whose recipients could not be reached after every attempt to the dead-letter queue (whose
   * alarm tells the owner), or throws.
   */
  deadLetter(slices: readonly FanOutSlice[]): Promise<void>;
}

/** What a slice's frame promises and where it came from (for logs). */
interface SliceCommon {
  /** The route that started the fan-out (`publish`, `sendmessage`, …). */
  readonly route: string;
  /** The frame to post, exactly as recipients receive it. */
  readonly frame: string;
  /** The frame carries a `seq` clients deduplicate (see `Delivery`). */
  readonly deduplicated: boolean;
  /** `false`: recipients that fail for now are not re-enqueued (see `Delivery.requeue`). @default true */
  readonly requeue?: false;
}

/**
 * A unit of queued fan-out work: `post` these ids, or read the `page` at `cursor` of `source`, enqueue the page
 * after it, and post to this one.
 */
export type FanOutSlice =
  | (SliceCommon & {
      readonly kind: 'post';
      readonly ids: readonly string[];
      /**
       * Which delivery attempt this is for these ids (1 when absent): a retry of the recipients an earlier
       * attempt failed carries the next number, and the last allowed attempt dead-letters what still fails.
       */
      readonly attempt?: number;
    })
  | (SliceCommon & { readonly kind: 'page'; readonly source: RecipientSource; readonly cursor: string });

/** A slice that lists its recipients. */
export type PostSlice = Extract<FanOutSlice, { readonly kind: 'post' }>;

/** The last messages of each channel, kept for history and resume. */
export interface HistoryStore {
  /** Keeps `message` and forgets the message `keep` places before it; `expiresAt` is epoch seconds. */
  keep(message: MessageEnvelope, keep: number, expiresAt: number): Promise<void>;
  /** Kept messages with `seq` > `after`, oldest first, at most `limit`. */
  after(channel: string, after: number, limit: number): Promise<MessageEnvelope[]>;
  /** The newest `limit` kept messages, oldest first. */
  latest(channel: string, limit: number): Promise<MessageEnvelope[]>;
  /** The channel's latest `seq` (0 when nothing was ever published). */
  currentSequence(channel: string): Promise<number>;
}

/** A player's standing on a board. */
export interface BoardEntry {
  readonly player: string;
  readonly score: number;
}

/** Leaderboards: atomic scores, a version per board, and a ranking read without a scan. */
export interface LeaderboardStore {
  /** Atomically adds `points` to the player's score and returns the new score. */
  addPoints(board: string, player: string, points: number): Promise<number>;
  /** Atomically increments the board's version and returns it. */
  nextVersion(board: string): Promise<number>;
  /** The board's current version (0 for a board nobody scored on). */
  currentVersion(board: string): Promise<number>;
  /** The best `limit` entries, best first, ties broken by who reached the score first. */
  top(board: string, limit: number): Promise<BoardEntry[]>;
}

/** Who is present in a channel. */
export interface PresenceStore {
  /** Adds the member to the channel's presence; idempotent. */
  enter(channel: string, member: Member, expiresAt: number): Promise<void>;
  /** Removes the connection from the channel's presence; resolves whether it was present. */
  leave(channel: string, connectionId: string): Promise<Member | undefined>;
  /** The present members, page by page. */
  members(channel: string): AsyncIterable<Member[]>;
  /** The connection ids of the present members, page by page (the recipients of `join`/`leave`). */
  recipients(channel: string): AsyncIterable<string[]>;
}
