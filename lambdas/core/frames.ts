/**
 * Builds the frames the server sends: replies to the sender and the envelope delivered to subscribers, and
 * checks that a frame fits API Gateway's per-message limit.
 *
 * @module
 */
import { MAX_FRAME_BYTES } from './constants.js';
import { type ErrorCode, ProtocolError, type RequestId } from './errors.js';

/** A reply to the sender of a request, returned as the route response body. */
export type ReplyFrame =
  | { readonly type: 'subscribed'; readonly channel: string; readonly id?: RequestId }
  | { readonly type: 'unsubscribed'; readonly channel: string; readonly id?: RequestId }
  | {
      readonly type: 'published';
      readonly channel: string;
      readonly seq: number;
      readonly delivered: number;
      readonly id?: RequestId;
    }
  | { readonly type: 'pong'; readonly id?: RequestId }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string; readonly id?: RequestId };

/** What every subscriber of a channel receives for one publish. */
export interface MessageEnvelope {
  readonly type: 'message';
  readonly channel: string;
  readonly data: unknown;
  /** The publisher's connection id. */
  readonly from: string;
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly sentAt: number;
}

// Adds `id` only when the request had one, so replies to id-less requests carry no `id` key at all.
const withId = <T extends object>(frame: T, id: RequestId | undefined): T & { id?: RequestId } =>
  id === undefined ? frame : { ...frame, id };

/** Ack of a subscribe. */
export const subscribedFrame = (channel: string, id?: RequestId): ReplyFrame =>
  withId({ type: 'subscribed', channel } as const, id);

/** Ack of an unsubscribe. */
export const unsubscribedFrame = (channel: string, id?: RequestId): ReplyFrame =>
  withId({ type: 'unsubscribed', channel } as const, id);

/** Ack of a publish: the sequence number it got and how many subscribers it reached. */
export const publishedFrame = (channel: string, seq: number, delivered: number, id?: RequestId): ReplyFrame =>
  withId({ type: 'published', channel, seq, delivered } as const, id);

/** Answer to a ping. */
export const pongFrame = (id?: RequestId): ReplyFrame => withId({ type: 'pong' } as const, id);

/** Error reply; the connection stays open. */
export const errorFrame = (code: ErrorCode, message: string, id?: RequestId): ReplyFrame =>
  withId({ type: 'error', code, message } as const, id);

/** The frame a channel's subscribers receive. */
export const messageEnvelope = (
  channel: string,
  data: unknown,
  from: string,
  seq: number,
  sentAt: number,
): MessageEnvelope => ({ type: 'message', channel, data, from, seq, sentAt });

/**
 * The raw frame of a `sendmessage` broadcast: a string is sent as is, anything else as JSON, which keeps
 * the wire format of AWS's chat sample.
 */
export const broadcastFrame = (data: unknown): string =>
  typeof data === 'string' ? data : JSON.stringify(data);

/** Serializes a frame for the wire. */
export const encodeFrame = (frame: ReplyFrame | MessageEnvelope): string => JSON.stringify(frame);

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
