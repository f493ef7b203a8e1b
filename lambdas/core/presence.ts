/**
 * Presence: who is in a channel, and the `join`/`leave` events its present members receive. A connection is
 * present in a channel it subscribed to with `"presence": true`, until it unsubscribes or goes away —
 * through `$disconnect`, or found gone (410) by a fan-out.
 *
 * @module
 */
import type { FanOutOptions, FanOutPorts, FanOutResult } from './fan-out.js';
import { encodeFrame, type Member, presenceEvent } from './frames.js';
import type { PresenceStore, RemovedConnection } from './ports.js';
import { fanOutToSource, type QueuePlan } from './queued-fan-out.js';

/** What announcing presence needs; with a queue plan, a large channel's announcement goes to the queue. */
export type PresencePorts = FanOutPorts & {
  readonly presence: PresenceStore;
  readonly fanOutQueue?: QueuePlan;
};

/**
 * Sends a `join` or `leave` for `member` to every present member of the channel (through the queue when the
 * ports have a plan and the channel is large, or when the deadline leaves recipients).
 */
export const announcePresence = (
  ports: PresencePorts,
  type: 'join' | 'leave',
  channel: string,
  member: Member,
  options: FanOutOptions,
): Promise<FanOutResult> =>
  fanOutToSource(
    { presence: channel },
    () => ports.presence.recipients(channel),
    encodeFrame(presenceEvent(type, channel, member)),
    // A late `join` after the member's `leave` would leave a ghost: presence events are never re-enqueued.
    { requeue: false },
    ports,
    options,
  );

/** Announces the `leave` of a removed connection in every channel where it was present. */
export const announceDeparture = async (
  ports: PresencePorts,
  removed: RemovedConnection,
  options: FanOutOptions,
): Promise<void> => {
  for (const channel of removed.presenceChannels) {
    await announcePresence(ports, 'leave', channel, removed.member, options);
  }
};

/** Everyone present in a channel. */
export const listMembers = async (presence: PresenceStore, channel: string): Promise<Member[]> => {
  const members: Member[] = [];
  for await (const page of presence.members(channel)) members.push(...page);
  return members;
};
