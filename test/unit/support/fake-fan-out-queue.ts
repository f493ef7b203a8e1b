/**
 * In-memory `RecipientPages` and `FanOutQueue` for queued fan-out tests.
 *
 * @module
 */
import type {
  FanOutQueue,
  FanOutSlice,
  RecipientPage,
  RecipientPages,
  RecipientSource,
} from '../../../lambdas/core/ports.js';

const keyOf = (source: RecipientSource): string =>
  'channel' in source ? `c:${source.channel}` : `s:${source.shard}`;

/** Recipients per source; the cursor is the index of the next id. */
export class ArrayRecipientPages implements RecipientPages {
  readonly reads: { source: RecipientSource; cursor: string | undefined; limit: number }[] = [];
  readonly #ids = new Map<string, readonly string[]>();

  /** Gives `source` these recipients. */
  set(source: RecipientSource, ids: readonly string[]): this {
    this.#ids.set(keyOf(source), ids);
    return this;
  }

  async page(source: RecipientSource, cursor: string | undefined, limit: number): Promise<RecipientPage> {
    this.reads.push({ source, cursor, limit });
    const all = this.#ids.get(keyOf(source)) ?? [];
    const start = cursor === undefined ? 0 : Number(cursor);
    const ids = all.slice(start, start + limit);
    return start + limit < all.length ? { ids, next: String(start + limit) } : { ids };
  }
}

/** Records every slice; can be told to fail. */
export class RecordingQueue implements FanOutQueue {
  readonly slices: FanOutSlice[] = [];
  /** Events in order, shared with a messenger to check what happened first. */
  constructor(
    readonly log: string[] = [],
    public failWith?: Error,
  ) {}

  async enqueue(slices: readonly FanOutSlice[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.slices.push(...slices);
    for (const slice of slices) this.log.push(`enqueue:${slice.kind}`);
  }
}
