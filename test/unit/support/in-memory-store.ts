/**
 * The table's ports kept in memory, for core tests: connections and subscriptions, kept messages, boards and
 * presence. Pages are `pageSize` items long so pagination is real. The stores share state the way the table
 * does: the history reads the channel counters the connection store increments, and removing a connection
 * removes its presence too.
 *
 * @module
 */
import { MAX_SCORE } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import type { Member, MessageEnvelope } from '../../../lambdas/core/frames.js';
import type {
  BoardEntry,
  ConnectionRecord,
  ConnectionStore,
  HistoryStore,
  LeaderboardStore,
  PresenceStore,
  RemovedConnection,
} from '../../../lambdas/core/ports.js';

async function* paged<T>(items: readonly T[], pageSize: number, onPage: () => void): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += pageSize) {
    onPage();
    await Promise.resolve();
    yield items.slice(i, i + pageSize);
  }
}

/** Who is present where; `channel → (connectionId → member)`. */
export class InMemoryPresenceStore implements PresenceStore {
  readonly channels = new Map<string, Map<string, Member>>();
  /** `channel → expiresAt` of the last `enter`, per connection. */
  readonly expiries = new Map<string, number>();

  constructor(readonly pageSize = 100) {}

  async enter(channel: string, member: Member, expiresAt: number): Promise<void> {
    const present = this.channels.get(channel) ?? new Map<string, Member>();
    present.set(member.connectionId, member);
    this.channels.set(channel, present);
    this.expiries.set(`${channel}|${member.connectionId}`, expiresAt);
  }

  async leave(channel: string, connectionId: string): Promise<Member | undefined> {
    const member = this.channels.get(channel)?.get(connectionId);
    this.channels.get(channel)?.delete(connectionId);
    return member;
  }

  members(channel: string): AsyncIterable<Member[]> {
    return paged([...(this.channels.get(channel)?.values() ?? [])], this.pageSize, () => undefined);
  }

  recipients(channel: string): AsyncIterable<string[]> {
    return paged([...(this.channels.get(channel)?.keys() ?? [])], this.pageSize, () => undefined);
  }

  /** Removes the connection from every channel; the channels it was present in. */
  forget(connectionId: string): string[] {
    const channels: string[] = [];
    for (const [channel, present] of this.channels) {
      if (present.delete(connectionId)) channels.push(channel);
    }
    return channels;
  }
}

/** In-memory connection store that also records what was asked of it. */
export class InMemoryStore implements ConnectionStore {
  readonly connections = new Map<string, ConnectionRecord>();
  /** channel → (connectionId → expiresAt) */
  readonly channels = new Map<string, Map<string, number>>();
  readonly sequences = new Map<string, number>();
  readonly removed: string[] = [];
  /** The presence items, which `removeConnection` deletes with the rest of the connection. */
  readonly presence: InMemoryPresenceStore;
  pagesRead = 0;

  constructor(readonly pageSize = 100) {
    this.presence = new InMemoryPresenceStore(pageSize);
  }

  async putConnection(c: ConnectionRecord): Promise<void> {
    this.connections.set(c.connectionId, c);
  }

  async removeConnection(connectionId: string): Promise<RemovedConnection> {
    const member = await this.member(connectionId);
    this.removed.push(connectionId);
    this.connections.delete(connectionId);
    for (const members of this.channels.values()) {
      members.delete(connectionId);
    }
    return { member, presenceChannels: this.presence.forget(connectionId) };
  }

  async member(connectionId: string): Promise<Member> {
    const record = this.connections.get(connectionId);
    return {
      clientId: record?.clientId ?? connectionId,
      ...(record?.name === undefined ? {} : { name: record.name }),
      connectionId,
    };
  }

  async subscribe(connectionId: string, channel: string, expiresAt: number): Promise<void> {
    const members = this.channels.get(channel) ?? new Map<string, number>();
    members.set(connectionId, expiresAt);
    this.channels.set(channel, members);
  }

  async unsubscribe(connectionId: string, channel: string): Promise<void> {
    this.channels.get(channel)?.delete(connectionId);
  }

  subscribers(channel: string): AsyncIterable<string[]> {
    return this.#paged([...(this.channels.get(channel)?.keys() ?? [])]);
  }

  everyone(): AsyncIterable<string[]> {
    return this.#paged([...this.connections.keys()]);
  }

  connectionsOf(userId: string): AsyncIterable<string[]> {
    return this.#paged(this.#idsOf(userId));
  }

  async countConnectionsOf(userId: string, limit: number): Promise<number> {
    return Math.min(this.#idsOf(userId).length, limit);
  }

  #idsOf(userId: string): string[] {
    return [...this.connections.values()].filter((c) => c.userId === userId).map((c) => c.connectionId);
  }

  async nextSequence(channel: string): Promise<number> {
    const next = (this.sequences.get(channel) ?? 0) + 1;
    this.sequences.set(channel, next);
    return next;
  }

  /** Registers `ids` as open connections, each its own client id. */
  connect(...ids: string[]): void {
    for (const connectionId of ids) {
      this.connections.set(connectionId, {
        connectionId,
        connectedAt: 0,
        expiresAt: 0,
        clientId: connectionId,
        userId: connectionId,
      });
    }
  }

  /** Registers one open connection with the client id and name it gave at connect. */
  connectAs(connectionId: string, clientId: string, name?: string, userId = clientId): void {
    this.connections.set(connectionId, {
      connectionId,
      connectedAt: 0,
      expiresAt: 0,
      clientId,
      userId,
      ...(name === undefined ? {} : { name }),
    });
  }

  #paged(ids: string[]): AsyncGenerator<string[]> {
    return paged(ids, this.pageSize, () => {
      this.pagesRead += 1;
    });
  }
}

/** Kept messages per channel; the channel's `seq` is the counter of the connection store it is given. */
export class InMemoryHistoryStore implements HistoryStore {
  /** channel → (seq → message) */
  readonly kept = new Map<string, Map<number, MessageEnvelope>>();
  readonly expiries: number[] = [];

  constructor(readonly sequences: Map<string, number> = new Map()) {}

  async keep(message: MessageEnvelope, keep: number, expiresAt: number): Promise<void> {
    const messages = this.kept.get(message.channel) ?? new Map<number, MessageEnvelope>();
    messages.set(message.seq, message);
    messages.delete(message.seq - keep);
    this.kept.set(message.channel, messages);
    this.expiries.push(expiresAt);
  }

  async after(channel: string, after: number, limit: number): Promise<MessageEnvelope[]> {
    return this.#ordered(channel)
      .filter((message) => message.seq > after)
      .slice(0, limit);
  }

  async latest(channel: string, limit: number): Promise<MessageEnvelope[]> {
    return limit > 0 ? this.#ordered(channel).slice(-limit) : [];
  }

  async currentSequence(channel: string): Promise<number> {
    return this.sequences.get(channel) ?? 0;
  }

  #ordered(channel: string): MessageEnvelope[] {
    return [...(this.kept.get(channel)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
}

/** Boards kept in memory, ranked by score and then by who reached it first. */
export class InMemoryLeaderboardStore implements LeaderboardStore {
  /** board → (player → standing) */
  readonly boards = new Map<string, Map<string, { score: number; reachedAt: number }>>();
  readonly versions = new Map<string, number>();
  #clock = 0;

  async addPoints(board: string, player: string, points: number): Promise<number> {
    const players = this.boards.get(board) ?? new Map<string, { score: number; reachedAt: number }>();
    const score = (players.get(player)?.score ?? 0) + points;
    if (Math.abs(score) > MAX_SCORE) {
      throw new ProtocolError('INVALID_REQUEST', `the score of ${player} would leave ±${MAX_SCORE}`);
    }
    this.#clock += 1;
    players.set(player, { score, reachedAt: this.#clock });
    this.boards.set(board, players);
    return score;
  }

  async nextVersion(board: string): Promise<number> {
    const version = (this.versions.get(board) ?? 0) + 1;
    this.versions.set(board, version);
    return version;
  }

  async currentVersion(board: string): Promise<number> {
    return this.versions.get(board) ?? 0;
  }

  async top(board: string, limit: number): Promise<BoardEntry[]> {
    return [...(this.boards.get(board)?.entries() ?? [])]
      .sort(([, a], [, b]) => b.score - a.score || a.reachedAt - b.reachedAt)
      .slice(0, limit)
      .map(([player, { score }]) => ({ player, score }));
  }
}

/** Every table port in memory, wired together the way the table shares its items. */
export const inMemoryStores = (pageSize = 100) => {
  const store = new InMemoryStore(pageSize);
  return {
    store,
    history: new InMemoryHistoryStore(store.sequences),
    leaderboard: new InMemoryLeaderboardStore(),
    presence: store.presence,
  };
};

/** Yields the given pages, then throws `error` if one is given (a store failing mid-query). */
export async function* pagesOf(pages: readonly string[][], error?: Error): AsyncGenerator<string[]> {
  for (const page of pages) {
    await Promise.resolve();
    yield page;
  }
  if (error !== undefined) {
    throw error;
  }
}
