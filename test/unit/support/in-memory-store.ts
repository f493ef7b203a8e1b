/**
 * A `ConnectionStore` kept in memory, for core tests. Pages are `pageSize` ids long so pagination is real.
 *
 * @module
 */
import type { ConnectionRecord, ConnectionStore } from '../../../lambdas/core/ports.js';

/** In-memory store that also records what was asked of it. */
export class InMemoryStore implements ConnectionStore {
  readonly connections = new Map<string, ConnectionRecord>();
  /** channel → (connectionId → expiresAt) */
  readonly channels = new Map<string, Map<string, number>>();
  readonly sequences = new Map<string, number>();
  readonly removed: string[] = [];
  pagesRead = 0;

  constructor(readonly pageSize = 100) {}

  async putConnection(c: ConnectionRecord): Promise<void> {
    this.connections.set(c.connectionId, c);
  }

  async removeConnection(connectionId: string): Promise<void> {
    this.removed.push(connectionId);
    this.connections.delete(connectionId);
    for (const members of this.channels.values()) {
      members.delete(connectionId);
    }
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

  async nextSequence(channel: string): Promise<number> {
    const next = (this.sequences.get(channel) ?? 0) + 1;
    this.sequences.set(channel, next);
    return next;
  }

  /** Registers `ids` as open connections. */
  connect(...ids: string[]): void {
    for (const connectionId of ids) {
      this.connections.set(connectionId, { connectionId, connectedAt: 0, expiresAt: 0 });
    }
  }

  async *#paged(ids: string[]): AsyncGenerator<string[]> {
    for (let i = 0; i < ids.length; i += this.pageSize) {
      this.pagesRead += 1;
      await Promise.resolve();
      yield ids.slice(i, i + this.pageSize);
    }
  }
}

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
