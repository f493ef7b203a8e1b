/**
 * The wire protocol as the client sees it: the frames the server sends, how a received frame is classified,
 * and how a request frame is encoded and measured.
 *
 * Every received frame goes through {@link decodeFrame}, which never throws: a frame that is not JSON, not an
 * object, or an object of a `type` the client does not know is handed back as `raw` (the `sendmessage`
 * broadcast sends arbitrary frames to everyone), and API Gateway's own error frames, which have no `type`
 * and no `id`, are recognised separately.
 *
 * @module
 */

/** The optional `id` of a request, echoed by its ack or error. */
export type RequestId = string | number;

/**
 * The largest frame the client sends, in UTF-8 bytes. API Gateway closes the connection with 1009 when a
 * client frame is larger than 32 KB, so such a frame is refused before it is sent.
 */
export const MAX_FRAME_BYTES = 32_768;

/** Who published a message, as the server knows them from the connect URL (or, later, the token). */
export interface Author {
  readonly clientId: string;
  readonly name?: string;
}

/** What every subscriber of a channel receives for one publish. */
export interface MessageEnvelope<T = unknown> {
  readonly type: 'message';
  readonly channel: string;
  readonly data: T;
  /** The publisher's connection id. */
  readonly from: string;
  readonly author?: Author;
  /** Increases by one per publish on the channel. */
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly sentAt: number;
}

/** What each connection of a user receives when someone (or the backend) sends to that user. */
export interface DirectMessage<T = unknown> {
  readonly type: 'direct';
  /** The sender's connection id, or `"server"` when the backend sent it. */
  readonly from: string;
  /** The sender's user id; absent when the backend sent it. */
  readonly fromUser?: string;
  readonly data: T;
  /** Epoch milliseconds. */
  readonly sentAt: number;
}

/** One row of a leaderboard. */
export interface LeaderboardEntry {
  readonly rank: number;
  readonly player: string;
  readonly score: number;
}

/** The top of a leaderboard at one version. Versions increase with every change of the board. */
export interface LeaderboardSnapshot {
  readonly board: string;
  readonly version: number;
  readonly top: readonly LeaderboardEntry[];
}

/** One connection subscribed to a channel. A client with two connections is two members. */
export interface PresenceMember {
  readonly clientId: string;
  readonly name?: string;
  readonly connectionId: string;
}

/** A connection subscribed to (`join`) or left (`leave`) a channel. */
export interface PresenceEvent {
  readonly type: 'join' | 'leave';
  readonly channel: string;
  readonly member: PresenceMember;
}

/** Ack of `subscribe`. */
export interface SubscribedFrame {
  readonly type: 'subscribed';
  readonly channel: string;
  /** The channel's latest seq, 0 if nothing was ever published. */
  readonly seq: number;
  /** Present when `history` or `since` was sent; oldest first. */
  readonly messages?: readonly MessageEnvelope[];
  /** Present when `since` was sent: false when the gap is larger than the kept history. */
  readonly recovered?: boolean;
  /** More kept messages exist than fitted: page with the `history` action. */
  readonly more?: boolean;
  /** The board of the channel's name, when it has entries. */
  readonly leaderboard?: LeaderboardSnapshot;
  readonly id?: RequestId;
}

/** Reply to `history`. */
export interface HistoryFrame {
  readonly type: 'history';
  readonly channel: string;
  readonly seq: number;
  readonly messages: readonly MessageEnvelope[];
  readonly recovered: boolean;
  readonly more: boolean;
  readonly id?: RequestId;
}

/** Ack of `publish`. */
export interface PublishedFrame {
  readonly type: 'published';
  readonly channel: string;
  readonly seq: number;
  readonly delivered: number;
  /** `queued`: delivery goes on in the background; `delivered` counts only what was sent so far. */
  readonly fanout?: 'queued';
  readonly id?: RequestId;
}

/** Ack of `score`. */
export interface ScoredFrame {
  readonly type: 'scored';
  readonly board: string;
  readonly player: string;
  readonly score: number;
  readonly version: number;
  readonly id?: RequestId;
}

/** Reply to `top`, and the push every subscriber of the board's channel gets after each change. */
export interface LeaderboardFrame extends LeaderboardSnapshot {
  readonly type: 'leaderboard';
  readonly id?: RequestId;
}

/** Reply to `presence`. */
export interface PresenceFrame {
  readonly type: 'presence';
  readonly channel: string;
  readonly members: readonly PresenceMember[];
  readonly id?: RequestId;
}

/** An error reply; the connection stays open. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly id?: RequestId;
}

/** Any frame with a `type`: the server's replies and pushes, or a future type this client does not know. */
export interface TypedFrame {
  readonly type: string;
  readonly id?: RequestId;
  readonly [field: string]: unknown;
}

/**
 * API Gateway's own error, sent when the integration failed (`Internal server error`), the route was
 * throttled (`Too many requests`) or denied (`Forbidden`). It has no `type` and no request `id`, so it
 * cannot be matched to the request that caused it.
 */
export interface GatewayErrorFrame {
  readonly message: string;
  readonly connectionId?: string;
  /** API Gateway's request id, not the client's correlation id. */
  readonly requestId?: string;
}

/** A received frame, classified. */
export type Incoming =
  | { readonly kind: 'typed'; readonly frame: TypedFrame }
  | { readonly kind: 'gateway'; readonly frame: GatewayErrorFrame }
  | { readonly kind: 'raw'; readonly data: unknown };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Whether `value` has the fields of a {@link MessageEnvelope} that the client relies on. */
export const isMessageEnvelope = (value: unknown): value is MessageEnvelope =>
  isObject(value) && value.type === 'message' && typeof value.channel === 'string' && isSeq(value.seq);

/** Whether `value` has the fields of a {@link DirectMessage} that the client relies on. */
export const isDirectMessage = (value: unknown): value is DirectMessage =>
  isObject(value) &&
  value.type === 'direct' &&
  typeof value.from === 'string' &&
  (value.fromUser === undefined || typeof value.fromUser === 'string') &&
  'data' in value;

/** Whether `value` is a leaderboard snapshot the client can order by version. */
export const isLeaderboardSnapshot = (value: unknown): value is LeaderboardSnapshot =>
  isObject(value) &&
  typeof value.board === 'string' &&
  typeof value.version === 'number' &&
  Array.isArray(value.top);

/** Whether `value` is a presence member with the keys a presence view counts by. */
export const isPresenceMember = (value: unknown): value is PresenceMember =>
  isObject(value) && typeof value.clientId === 'string' && typeof value.connectionId === 'string';

/** Whether `value` is a `join` or `leave` push. */
export const isPresenceEvent = (value: unknown): value is PresenceEvent =>
  isObject(value) &&
  (value.type === 'join' || value.type === 'leave') &&
  typeof value.channel === 'string' &&
  isPresenceMember(value.member);

/**
 * The valid envelopes of a `messages` field, oldest first. A malformed entry is left out rather than
 * failing the whole reply: the gap it leaves is caught like any other gap.
 */
export const envelopesOf = (value: unknown): MessageEnvelope[] =>
  Array.isArray(value) ? value.filter(isMessageEnvelope).sort((a, b) => a.seq - b.seq) : [];

// API Gateway's error bodies carry exactly these keys, and the message is all that tells them apart.
const isGatewayError = (value: Fields): boolean =>
  value.type === undefined &&
  typeof value.message === 'string' &&
  ('connectionId' in value || 'requestId' in value);

/**
 * Classifies one received frame. Never throws.
 *
 * @param data - the `data` of the socket's message event: a string for text frames.
 * @example
 * decodeFrame('{"type":"pong","id":3}'); // → { kind: 'typed', frame: { type: 'pong', id: 3 } }
 * decodeFrame('hello');                   // → { kind: 'raw', data: 'hello' }
 */
export const decodeFrame = (data: unknown): Incoming => {
  if (typeof data !== 'string') {
    return { kind: 'raw', data };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { kind: 'raw', data };
  }
  if (!isObject(value)) {
    return { kind: 'raw', data };
  }
  if (typeof value.type === 'string') {
    return { kind: 'typed', frame: value as TypedFrame };
  }
  if (isGatewayError(value)) {
    return { kind: 'gateway', frame: value as unknown as GatewayErrorFrame };
  }
  return { kind: 'raw', data };
};

const encoder = new TextEncoder();

/** Size of a frame as API Gateway counts it: UTF-8 bytes, not UTF-16 code units. */
export const frameBytes = (text: string): number => encoder.encode(text).length;

/**
 * Whether a frame is at most {@link MAX_FRAME_BYTES}. The length alone decides most frames, since every
 * UTF-16 code unit is 1 to 3 UTF-8 bytes, so only frames near the limit are encoded.
 */
export const fitsInFrame = (text: string): boolean =>
  text.length * 3 <= MAX_FRAME_BYTES ||
  (text.length <= MAX_FRAME_BYTES && frameBytes(text) <= MAX_FRAME_BYTES);
