/**
 * Channel use-cases: subscribe, unsubscribe and publish.
 *
 * @module
 */
import { expiresAtFor } from './expiry.js';
import { type FanOutOptions, type FanOutResult, fanOut } from './fan-out.js';
import { assertFrameFits, encodeFrame, messageEnvelope } from './frames.js';
import type { ConnectionStore, Messenger } from './ports.js';

/** A connection acting on one channel. */
export interface ChannelAction {
  readonly connectionId: string;
  readonly channel: string;
}

/** A subscription request; `connectedAt` (epoch ms, from the event) anchors the subscription's expiry. */
export interface Subscription extends ChannelAction {
  readonly connectedAt?: number;
}

/** A publish request. */
export interface Publication extends ChannelAction {
  readonly data: unknown;
}

/** Outcome of a publish: the sequence number it got, plus the fan-out counts. */
export interface PublishResult extends FanOutResult {
  readonly seq: number;
}

/**
 * Subscribes a connection to a channel. The subscription expires with the connection (2 h 10 min after
 * `connectedAt`), so one left behind by a lost `$disconnect` is reaped by TTL.
 */
export const subscribeToChannel = async (
  store: Pick<ConnectionStore, 'subscribe'>,
  subscription: Subscription,
  nowMs: number,
): Promise<void> => {
  const expiresAt = expiresAtFor(subscription.connectedAt ?? nowMs);
  await store.subscribe(subscription.connectionId, subscription.channel, expiresAt);
};

/** Unsubscribes a connection from a channel; unsubscribing from a channel one is not in is not an error. */
export const unsubscribeFromChannel = async (
  store: Pick<ConnectionStore, 'unsubscribe'>,
  action: ChannelAction,
): Promise<void> => {
  await store.unsubscribe(action.connectionId, action.channel);
};

/**
 * Publishes `data` to every subscriber of a channel, the publisher included if subscribed.
 *
 * The size check uses the largest possible `seq`, so an oversized message is rejected before the channel's
 * counter moves: a rejected publish leaves no gap in the sequence.
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`, before any side effect.
 * @example
 * const { seq, delivered } = await publishToChannel(ports, { connectionId, channel: 'lobby', data }, options);
 */
export const publishToChannel = async (
  ports: { readonly store: ConnectionStore; readonly messenger: Messenger },
  publication: Publication,
  options: FanOutOptions,
): Promise<PublishResult> => {
  const { connectionId, channel, data } = publication;
  const sentAt = options.now();
  const largest = messageEnvelope(channel, data, connectionId, Number.MAX_SAFE_INTEGER, sentAt);
  assertFrameFits(encodeFrame(largest), 'the message');
  const seq = await ports.store.nextSequence(channel);
  const frame = encodeFrame(messageEnvelope(channel, data, connectionId, seq, sentAt));
  const result = await fanOut(ports.store.subscribers(channel), frame, ports, options);
  return { seq, ...result };
};
