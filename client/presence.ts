/**
 * Who is in a channel, from the `presence` reply and the `join`/`leave` pushes.
 *
 * The server reports connections, not people: a client with two tabs is two members, and a reconnecting
 * client's new connection may join before its old one leaves. So the view keeps, per `clientId`, the set
 * of its connection ids, and a client is present while that set is not empty. Sets (not counters) make a
 * repeated join or leave harmless.
 *
 * @module
 */
import type { PresenceEvent, PresenceMember } from './protocol.js';

/** One client present in a channel. */
export interface PresentClient {
  readonly clientId: string;
  /** The name its most recent connection gave. */
  readonly name?: string;
  /** How many of its connections are subscribed. */
  readonly connections: number;
}

/** Options of {@link PresenceView}. */
export interface PresenceViewOptions {
  /** Called after every change with the current list. */
  readonly onChange?: (members: readonly PresentClient[]) => void;
  /** Called by {@link PresenceView.stop}, so the owner stops feeding the view. */
  readonly onStop?: () => void;
}

/**
 * A member list keyed by `clientId`, with per-connection counting.
 *
 * While a `presence` request is in flight ({@link beginLoad}), pushes are recorded and replayed on top of
 * the reply ({@link load}): a push that raced the reply is then neither lost nor undone by the snapshot.
 *
 * @example
 * const view = await subscription.trackPresence((members) => render(members));
 * view.has('alice'); // true while any of alice's connections is subscribed
 */
export class PresenceView {
  readonly #clients = new Map<string, Map<string, PresenceMember>>();
  readonly #options: PresenceViewOptions;
  #pending: PresenceEvent[] | undefined;
  #stopped = false;

  constructor(options: PresenceViewOptions = {}) {
    this.#options = options;
  }

  /** The clients present, in the order they first appeared. */
  get members(): PresentClient[] {
    return [...this.#clients.entries()].map(([clientId, connections]) => {
      const name = [...connections.values()].at(-1)?.name;
      return name === undefined
        ? { clientId, connections: connections.size }
        : { clientId, name, connections: connections.size };
    });
  }

  /** How many distinct clients are present. */
  get size(): number {
    return this.#clients.size;
  }

  /** Whether any connection of `clientId` is subscribed. */
  has(clientId: string): boolean {
    return this.#clients.has(clientId);
  }

  /** How many connections `clientId` has in the channel. */
  connectionsOf(clientId: string): number {
    return this.#clients.get(clientId)?.size ?? 0;
  }

  /** A `presence` request was sent: record pushes until its reply is loaded. */
  beginLoad(): void {
    this.#pending ??= [];
  }

  /** Replaces the list with a `presence` reply, then replays the pushes that arrived meanwhile. */
  load(members: readonly PresenceMember[]): void {
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    this.#clients.clear();
    for (const member of members) {
      this.#add(member);
    }
    for (const event of pending) {
      this.#applyNow(event);
    }
    this.#changed();
  }

  /** The `presence` request failed: apply the recorded pushes to the list as it was. */
  cancelLoad(): void {
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    if (pending.map((event) => this.#applyNow(event)).includes(true)) {
      this.#changed();
    }
  }

  /** Applies a `join` or `leave` push (or records it while a load is pending). */
  apply(event: PresenceEvent): void {
    if (this.#pending !== undefined) {
      this.#pending.push(event);
      return;
    }
    if (this.#applyNow(event)) {
      this.#changed();
    }
  }

  /** Stops following the channel; the list keeps its last state. */
  stop(): void {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#options.onStop?.();
    }
  }

  #applyNow(event: PresenceEvent): boolean {
    return event.type === 'join' ? this.#add(event.member) : this.#remove(event.member);
  }

  #add(member: PresenceMember): boolean {
    const connections = this.#clients.get(member.clientId) ?? new Map<string, PresenceMember>();
    this.#clients.set(member.clientId, connections);
    const known = connections.has(member.connectionId);
    // Re-inserting moves the connection last, so its name becomes the client's current name.
    connections.delete(member.connectionId);
    connections.set(member.connectionId, member);
    return !known;
  }

  #remove(member: PresenceMember): boolean {
    const connections = this.#clients.get(member.clientId);
    if (connections === undefined || !connections.delete(member.connectionId)) {
      return false;
    }
    if (connections.size === 0) {
      this.#clients.delete(member.clientId);
    }
    return true;
  }

  #changed(): void {
    if (!this.#stopped) {
      this.#options.onChange?.(this.members);
    }
  }
}
