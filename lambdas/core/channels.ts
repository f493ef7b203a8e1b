/**
 * Channel use-cases: subscribe (with history, resume, presence and the board's snapshot), unsubscribe and
 * publish (kept in history before it fans out).
 *
 * @module
 */
import { expiresAtFor, historyExpiry } from './expiry.js';
import { type FanOutOptions, type FanOutPorts, type FanOutResult, fanOut } from './fan-out.js';
import {
  assertFrameFits,
  encodeFrame,
  frameBytes,
  type HistoryPage,
  type LeaderboardFrame,
  type Member,
  messageEnvelope,
} from './frames.js';
import { HISTORY_REPLY_BUDGET_BYTES, type HistoryQuery, readHistory } from './history.js';
import { readLeaderboard } from './leaderboard.js';
import type { ConnectionStore, HistoryStore, LeaderboardStore, PresenceStore } from './ports.js';
import { announcePresence } from './presence.js';
import { fanOutOrQueue, type QueuePlan } from './queued-fan-out.js';

/** A connection acting on one channel. */
export interface ChannelAction {
  readonly connectionId: string;
  readonly channel: string;
}

/** A subscription request; `connectedAt` (epoch ms, from the event) anchors the subscription's expiry. */
export interface Subscription extends ChannelAction {
  readonly connectedAt?: number;
  /** `true` for the kept history, a number for at most that many of the newest messages. */
  readonly history?: boolean | number;
  /** Resume: the last `seq` the client saw. */
  readonly since?: number;
  /** Enter the channel's presence (and receive its `join`/`leave` events). */
  readonly presence?: boolean;
}

/** How many messages each channel keeps and how many entries a board snapshot has. */
export interface ChannelLimits {
  readonly historySize: number;
  readonly leaderboardSize: number;
}

/** The ports a subscribe uses. */
export type SubscribePorts = FanOutPorts & {
  readonly store: Pick<ConnectionStore, 'subscribe' | 'unsubscribe' | 'member' | 'removeConnection'>;
  readonly history: HistoryStore;
  readonly leaderboard: LeaderboardStore;
  readonly presence: PresenceStore;
};

/** What a subscribe ack carries. */
export interface SubscribeResult {
  readonly seq: number;
  readonly history?: Omit<HistoryPage, 'seq'>;
  readonly leaderboard?: Omit<LeaderboardFrame, 'id'>;
}

const historyQueryOf = (subscription: Subscription, limits: ChannelLimits): HistoryQuery | undefined => {
  if (subscription.since !== undefined) {
    return { since: subscription.since, limit: limits.historySize, window: limits.historySize };
  }
  if (subscription.history === true) return { latest: limits.historySize };
  if (typeof subscription.history === 'number') {
    return { latest: Math.min(subscription.history, limits.historySize) };
  }
  return undefined;
};

/**
 * Subscribes a connection to a channel, then reads what it asked for. The subscription is written first and
 * the history read after (see `history.ts`), so nothing published meanwhile can fall between the two. The
 * subscription expires with the connection (2 h 10 min after `connectedAt`), so one left behind by a lost
 * `$disconnect` is reaped by TTL.
 */
export const subscribeToChannel = async (
  ports: SubscribePorts,
  subscription: Subscription,
  limits: ChannelLimits,
  nowMs: number,
  options: FanOutOptions,
): Promise<SubscribeResult> => {
  const { connectionId, channel } = subscription;
  const expiresAt = expiresAtFor(subscription.connectedAt ?? nowMs);
  await ports.store.subscribe(connectionId, channel, expiresAt);
  if (subscription.presence === true) {
    let member: Awaited<ReturnType<ConnectionStore['member']>>;
    try {
      member = await ports.store.member(connectionId);
      await ports.presence.enter(channel, member, expiresAt);
    } catch (error) {
      // Never half-written: a subscription without the presence it asked for is taken back (best effort,
      // its place on the subscription counter with it), so the client's retry starts from nothing.
      await ports.store.unsubscribe(connectionId, channel).catch(() => undefined);
      throw error;
    }
    await announcePresence(ports, 'join', channel, member, options);
  }
  const query = historyQueryOf(subscription, limits);
  // The board first: its snapshot shares the ack frame, so the history gets what is left of it.
  const board = await readLeaderboard(ports.leaderboard, channel, limits.leaderboardSize);
  const boardBytes = board.version === 0 ? 0 : frameBytes(JSON.stringify(board));
  const page =
    query === undefined
      ? { seq: await ports.history.currentSequence(channel), messages: [] }
      : await readHistory(ports.history, channel, query, HISTORY_REPLY_BUDGET_BYTES - boardBytes);
  const { seq, ...history } = page;
  return {
    seq,
    ...(query === undefined ? {} : { history }),
    ...(board.version === 0 ? {} : { leaderboard: board }),
  };
};

/**
 * Unsubscribes a connection from a channel (not an error when it was not subscribed); leaving the channel's
 * presence too, announced to those still present.
 */
export const unsubscribeFromChannel = async (
  ports: FanOutPorts & {
    readonly store: Pick<ConnectionStore, 'unsubscribe' | 'removeConnection'>;
    readonly presence: PresenceStore;
  },
  action: ChannelAction,
  options: FanOutOptions,
): Promise<void> => {
  await ports.store.unsubscribe(action.connectionId, action.channel);
  const member = await ports.presence.leave(action.channel, action.connectionId);
  if (member !== undefined) await announcePresence(ports, 'leave', action.channel, member, options);
};

/** A publish request. */
export interface Publication extends ChannelAction {
  readonly data: unknown;
  /**
   * Who the subscribers see as the author. Omitted for a connection (its client id and name are read from
   * its `META` item); the publisher Lambda gives its own, since it has no connection.
   */
  readonly author?: Omit<Member, 'connectionId'>;
}

/** Outcome of a publish: the sequence number it got, plus the fan-out counts. */
export interface PublishResult extends FanOutResult {
  readonly seq: number;
  /** The subscribers were handed to the fan-out queue (the counts cover only what was posted inline). */
  readonly queued?: boolean;
}

/** The ports a publish uses. */
export type PublishPorts = FanOutPorts & {
  readonly store: Pick<ConnectionStore, 'subscribers' | 'nextSequence' | 'member' | 'removeConnection'>;
  readonly history: HistoryStore;
};

const authorOf = ({ clientId, name }: Member): Omit<Member, 'connectionId'> =>
  name === undefined ? { clientId } : { clientId, name };

/**
 * Publishes `data` to every subscriber of a channel, the publisher included if subscribed, stamped with the
 * publisher's client id and name. The message is kept in the channel's history before the subscribers are
 * read (see `history.ts`).
 *
 * The size check uses the largest possible `seq`, so an oversized message is rejected before the channel's
 * counter moves: a rejected publish leaves no gap in the sequence.
 *
 * With a queue `plan`, a channel of `plan.inlineLimit` subscribers or more is handed to the fan-out queue
 * (`queued: true`) once its `seq` is assigned and the message kept. The frame carries its `seq`, so a post that
 * timed out may be retried (clients drop duplicates by `seq`).
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`, before any side effect.
 * @example
 * const { seq, delivered } = await publishToChannel(ports, { connectionId, channel: 'lobby', data }, 50, options);
 */
export const publishToChannel = async (
  ports: PublishPorts,
  publication: Publication,
  historySize: number,
  options: FanOutOptions,
  plan?: QueuePlan,
): Promise<PublishResult> => {
  const { connectionId, channel, data } = publication;
  const author = publication.author ?? authorOf(await ports.store.member(connectionId));
  const sentAt = options.now();
  const largest = messageEnvelope(channel, data, connectionId, Number.MAX_SAFE_INTEGER, sentAt, author);
  assertFrameFits(encodeFrame(largest), 'the message');
  const seq = await ports.store.nextSequence(channel);
  const envelope = messageEnvelope(channel, data, connectionId, seq, sentAt, author);
  if (historySize > 0) await ports.history.keep(envelope, historySize, historyExpiry(sentAt));
  const frame = encodeFrame(envelope);
  const delivery = { deduplicated: true };
  if (plan !== undefined) {
    return { seq, ...(await fanOutOrQueue([{ channel }], frame, delivery, ports, options, plan)) };
  }
  const { delivered, gone, failed, retried, handedOff } = await fanOut(
    ports.store.subscribers(channel),
    frame,
    ports,
    options,
    delivery,
  );
  return { seq, delivered, gone, failed, retried, handedOff };
};
