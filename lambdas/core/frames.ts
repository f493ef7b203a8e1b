/**
 * Builds the frames the server sends: replies to the sender and the envelope delivered to subscribers, and
 * checks that a frame fits API Gateway's per-message limit.
 *
 * @module
 */
import { MAX_FRAME_BYTES } from './constants.js';
import { type ErrorCode, ProtocolError, type RequestId } from './errors.js';

/** Who sent a message or is present in a channel: the client id and display name given at connect. */
export interface Member {
  readonly clientId: string;
  readonly name?: string;
  readonly connectionId: string;
}

/** One ranked entry of a leaderboard. */
export interface RankedEntry {
  readonly rank: number;
  readonly player: string;
  readonly score: number;
}

/** The state of a board at one version; pushed to its viewers after every change. */
export interface LeaderboardFrame {
  readonly type: 'leaderboard';
  readonly board: string;
  readonly version: number;
  readonly top: readonly RankedEntry[];
  readonly id?: RequestId;
}

/** A page of a channel's kept messages (alone, or inside a subscribe ack). */
export interface HistoryPage {
  /** The channel's latest `seq` (0 when nothing was ever published). */
  readonly seq: number;
  /** Oldest first. */
  readonly messages: readonly MessageEnvelope[];
  /** Present when a `since` was given: false when messages after it are no longer kept. */
  readonly recovered?: boolean;
  /** More kept messages follow than fitted; ask again with `since` = the last one's `seq`. */
  readonly more?: boolean;
}

/** A reply to the sender of a request, returned as the route response body. */
export type ReplyFrame =
  | {
      readonly type: 'subscribed';
      readonly channel: string;
      readonly seq: number;
      readonly messages?: readonly MessageEnvelope[];
      readonly recovered?: boolean;
      readonly more?: boolean;
      readonly leaderboard?: Omit<LeaderboardFrame, 'id'>;
      readonly id?: RequestId;
    }
  | ({ readonly type: 'history'; readonly channel: string; readonly id?: RequestId } & HistoryPage)
  | {
      readonly type: 'scored';
      readonly board: string;
      readonly player: string;
      readonly score: number;
      readonly version: number;
      readonly id?: RequestId;
    }
  | LeaderboardFrame
  | {
      readonly type: 'presence';
      readonly channel: string;
      readonly members: readonly Member[];
      readonly id?: RequestId;
    }
  | { readonly type: 'unsubscribed'; readonly channel: string; readonly id?: RequestId }
  | {
      readonly type: 'published';
      readonly channel: string;
      readonly seq: number;
      readonly delivered: number;
      readonly failed?: number;
      readonly handedOff?: number;
      readonly fanout?: 'queued';
      readonly id?: RequestId;
    }
  | { readonly type: 'pong'; readonly id?: RequestId }
  | {
      readonly type: 'sent';
      readonly user: string;
      readonly delivered: number;
      readonly fanout?: 'queued';
      readonly id?: RequestId;
    }
  | {
      readonly type: 'error';
      readonly code: ErrorCode;
      readonly message: string;
      readonly id?: RequestId;
      /** With `RATE_LIMITED`: milliseconds until the connection may send again. */
      readonly retryAfterMs?: number;
    };

/** What every subscriber of a channel receives for one publish. */
export interface MessageEnvelope {
  readonly type: 'message';
  readonly channel: string;
  readonly data: unknown;
  /** The publisher's connection id. */
  readonly from: string;
  /** The publisher's client id and display name. */
  readonly author?: Omit<Member, 'connectionId'>;
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly sentAt: number;
}

// Adds `id` only when the request had one, so replies to id-less requests carry no `id` key at all.
const withId = <T extends object>(frame: T, id: RequestId | undefined): T & { id?: RequestId } =>
  id === undefined ? frame : { ...frame, id };

/** What else a subscribe ack carries besides the channel's latest `seq`. */
export interface SubscribedExtras {
  readonly history?: Omit<HistoryPage, 'seq'>;
  readonly leaderboard?: Omit<LeaderboardFrame, 'id'>;
}

/** Ack of a subscribe: the channel's latest `seq`, plus the history and leaderboard asked for. */
export const subscribedFrame = (
  channel: string,
  seq: number,
  extras: SubscribedExtras = {},
  id?: RequestId,
): ReplyFrame =>
  withId(
    {
      type: 'subscribed',
      channel,
      seq,
      ...extras.history,
      ...(extras.leaderboard === undefined ? {} : { leaderboard: extras.leaderboard }),
    } as const,
    id,
  );

/** Reply to a `history` request. */
export const historyFrame = (channel: string, page: HistoryPage, id?: RequestId): ReplyFrame =>
  withId({ type: 'history', channel, ...page } as const, id);

/** Ack of a `score`: the player's new total and the board version it produced. */
export const scoredFrame = (
  board: string,
  player: string,
  score: number,
  version: number,
  id?: RequestId,
): ReplyFrame => withId({ type: 'scored', board, player, score, version } as const, id);

/** A board snapshot: pushed to viewers (no id) or the reply to `top`. */
export const leaderboardFrame = (
  board: string,
  version: number,
  top: readonly RankedEntry[],
  id?: RequestId,
): LeaderboardFrame => withId({ type: 'leaderboard', board, version, top } as const, id);

/** Reply to a `presence` request. */
export const presenceFrame = (channel: string, members: readonly Member[], id?: RequestId): ReplyFrame =>
  withId({ type: 'presence', channel, members } as const, id);

/** Pushed to a channel's present members when a connection enters or leaves its presence. */
export interface PresenceEvent {
  readonly type: 'join' | 'leave';
  readonly channel: string;
  readonly member: Member;
}

/** A `join` or `leave` event. */
export const presenceEvent = (type: 'join' | 'leave', channel: string, member: Member): PresenceEvent => ({
  type,
  channel,
  member,
});

/** Ack of an unsubscribe. */
export const unsubscribedFrame = (channel: string, id?: RequestId): ReplyFrame =>
  withId({ type: 'unsubscribed', channel } as const, id);

/** Ack of a publish: the sequence number it got and how many subscribers it reached. */
export const publishedFrame = (
  channel: string,
  seq: number,
  delivered: number,
  id?: RequestId,
  more: PublishedExtras = {},
): ReplyFrame => {
  const { failed = 0, handedOff = 0, fanout } = more;
  return withId(
    {
      type: 'published',
      channel,
      seq,
      delivered,
      ...(failed > 0 ? { failed } : {}),
      ...(handedOff > 0 ? { handedOff } : {}),
      ...(fanout === undefined ? {} : { fanout }),
    } as const,
    id,
  );
};

/**
 * What a publish ack may add to `delivered`: recipients given up on (`failed`) and left to the queue
 * (`handedOff`: not attempted before the deadline, or failed for now and re-enqueued), each only when non-zero; `fanout: 'queued'` when the whole delivery was
 * handed to the fan-out queue (then `delivered` is 0 and says nothing about the subscribers).
 */
export interface PublishedExtras {
  readonly failed?: number;
  readonly handedOff?: number;
  readonly fanout?: 'queued';
}

/** Answer to a ping. */
export const pongFrame = (id?: RequestId): ReplyFrame => withId({ type: 'pong' } as const, id);

/** Error reply; the connection stays open. */
export const errorFrame = (code: ErrorCode, message: string, id?: RequestId): ReplyFrame =>
  withId({ type: 'error', code, message } as const, id);

/** The error a connection over its rate limit gets: `RATE_LIMITED`, and when to try again. */
export const rateLimitedFrame = (retryAfterMs: number): ReplyFrame => ({
  type: 'error',
  code: 'RATE_LIMITED',
  message: `too many messages; retry in ${retryAfterMs} ms`,
  retryAfterMs,
});

/** The frame a channel's subscribers receive. */
export const messageEnvelope = (
  channel: string,
  data: unknown,
  from: string,
  seq: number,
  sentAt: number,
  author?: Omit<Member, 'connectionId'>,
): MessageEnvelope => ({
  type: 'message',
  channel,
  data,
  from,
  ...(author === undefined ? {} : { author }),
  seq,
  sentAt,
});

/**
 * The raw frame of a `sendmessage` broadcast: a string is sent as is, anything else as JSON, which keeps
 * the wire format of AWS's chat sample.
 */
export const broadcastFrame = (data: unknown): string =>
  typeof data === 'string' ? data : JSON.stringify(data);

/** Serializes a frame for the wire. */
export const encodeFrame = (frame: ReplyFrame | MessageEnvelope | PresenceEvent): string =>
  JSON.stringify(frame);

/** Size of a frame as API Gateway counts it: UTF-8 bytes, not UTF-16 code units. */
export const frameBytes = (frame: string): number => Buffer.byteLength(frame, 'utf8');

/**
 * Rejects a frame that API Gateway would refuse to post (over {@link MAX_FRAME_BYTES}). Call it before any
 * side effect so an oversized request changes nothing.
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`.
 */
export const assertFrameFits = (frame: string, what: string): void => {
  const bytes = frameBytes(frame);
  if (bytes > MAX_FRAME_BYTES) {
    throw new ProtocolError(
      'PAYLOAD_TOO_LARGE',
      `${what} would be ${bytes} bytes; the limit is ${MAX_FRAME_BYTES} bytes (128 KiB)`,
    );
  }
};
