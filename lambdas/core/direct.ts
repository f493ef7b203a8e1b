/**
 * Direct messages: `data` delivered to every open connection of one user (the `sendtouser` action and the
 * publisher's `user` target), found through the `byUser` index and posted through the ordinary fan-out, with
 * its 410 cleanup and retries.
 *
 * @module
 */
import type { RequestId } from './errors.js';
import type { FanOutOptions, FanOutPorts, FanOutResult } from './fan-out.js';
import { assertFrameFits, type ReplyFrame } from './frames.js';
import type { ConnectionStore } from './ports.js';
import { fanOutToSource, type QueuePlan } from './queued-fan-out.js';

/** The `from` of a direct message or channel message sent by the backend (the publisher), not a connection. */
export const SERVER_SENDER = 'server';

/** What each connection of the addressed user receives. */
export interface DirectFrame {
  readonly type: 'direct';
  /** The sender's connection id, or {@link SERVER_SENDER}. */
  readonly from: string;
  /** The sender's user id; absent when the backend sent it. */
  readonly fromUser?: string;
  readonly data: unknown;
  /** Epoch milliseconds. */
  readonly sentAt: number;
}

/** Who sends a direct message: a connection and its user, or the backend (no `fromUser`). */
export interface DirectSender {
  readonly from: string;
  readonly fromUser?: string;
}

/** A direct message to one user. */
export interface DirectMessage {
  readonly sender: DirectSender;
  /** The addressed user id. */
  readonly user: string;
  readonly data: unknown;
}

/** The ports a direct message uses. */
export type DirectPorts = FanOutPorts & {
  /** With a queue plan, recipients a deadline leaves go to the queue. */
  readonly fanOutQueue?: QueuePlan;
  readonly store: Pick<ConnectionStore, 'connectionsOf' | 'removeConnection'>;
};

/** Builds the frame every connection of the addressed user receives. */
export const directFrame = (sender: DirectSender, data: unknown, sentAt: number): DirectFrame => ({
  type: 'direct',
  from: sender.from,
  ...(sender.fromUser === undefined ? {} : { fromUser: sender.fromUser }),
  data,
  sentAt,
});

/**
 * Ack of a `sendtouser`: how many of the user's connections it reached (0 when none is open), and
 * `fanout: 'queued'` when the delivery went to the fan-out queue instead (then `delivered` counts nothing yet).
 */
export const sentFrame = (user: string, delivered: number, id?: RequestId, queued = false): ReplyFrame => ({
  type: 'sent',
  user,
  delivered,
  ...(queued ? { fanout: 'queued' as const } : {}),
  ...(id === undefined ? {} : { id }),
});

/**
 * Sends `data` to every open connection of `user`. A user with no open connection is not an error: the
 * result says `delivered: 0`.
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`, before any send.
 * @example
 * const { delivered } = await sendToUser(ports, { sender: { from: 'abc=', fromUser: 'bob' }, user: 'alice', data }, options);
 */
export const sendToUser = async (
  ports: DirectPorts,
  message: DirectMessage,
  options: FanOutOptions,
): Promise<FanOutResult & { readonly queued?: boolean }> => {
  const frame = JSON.stringify(directFrame(message.sender, message.data, options.now()));
  assertFrameFits(frame, 'the message');
  return fanOutToSource(
    { user: message.user },
    () => ports.store.connectionsOf(message.user),
    frame,
    {},
    ports,
    options,
  );
};
