/**
 * What the publisher Lambda (server-side publish, no socket) accepts and answers: a channel publish or a
 * direct message to a user, validated with the same rules as the frames clients send.
 *
 * @module
 */
import * as z from 'zod/mini';
import { ProtocolError } from './errors.js';
import { channelField, dataField, userField } from './protocol.js';

/** `{ "channel": "lobby", "data": … }`: exactly like a client's `publish`, authored by the server. */
export interface ChannelTarget {
  readonly channel: string;
  readonly data: unknown;
}

/** `{ "user": "alice", "data": … }`: a `direct` frame to every open connection of the user. */
export interface UserTarget {
  readonly user: string;
  readonly data: unknown;
}

/** A valid publisher invocation. */
export type ServerPublication = ChannelTarget | UserTarget;

/** What the publisher returns on success: the fan-out counts, and the channel's `seq` for a channel publish. */
export interface ServerPublishResult {
  readonly seq?: number;
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
  /** Recipients left to the queue: by the deadline, or failed for now and re-enqueued (only when not 0). */
  readonly handedOff?: number;
  /** The fan-out queue took the delivery (then `delivered` counts nothing yet). */
  readonly fanout?: 'queued';
}

/** What the publisher returns for input it cannot act on (nothing was published). */
export interface ServerPublishError {
  readonly error: string;
  readonly message: string;
}

const channelSchema = z.object({ channel: channelField, data: dataField });
const userSchema = z.object({ user: userField, data: dataField });

/**
 * Validates a publisher invocation's payload.
 *
 * @throws {ProtocolError} `INVALID_REQUEST` (not an object, both or neither of `channel` and `user`, no
 *   `data`, a malformed `user`) or `INVALID_CHANNEL`.
 * @example
 * parseServerPublication({ channel: 'lobby', data: { hello: 'world' } }); // → { channel: 'lobby', data: {…} }
 */
export const parseServerPublication = (input: unknown): ServerPublication => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ProtocolError('INVALID_REQUEST', 'the payload must be a JSON object: { channel | user, data }');
  }
  const hasChannel = 'channel' in input;
  const hasUser = 'user' in input;
  if (hasChannel === hasUser) {
    throw new ProtocolError('INVALID_REQUEST', 'give exactly one of channel and user');
  }
  const result = (hasChannel ? channelSchema : userSchema).safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = String(issue?.path[0] ?? 'payload');
    const code =
      field === 'channel' && issue?.code !== 'invalid_type' ? 'INVALID_CHANNEL' : 'INVALID_REQUEST';
    throw new ProtocolError(code, issue?.message ?? `${field} is invalid`);
  }
  return result.data;
};
