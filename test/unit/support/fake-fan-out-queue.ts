/**
 * In-memory `RecipientPages` and `FanOutQueue` for queued fan-out tests.
 *
 * @module
 */
import type {
  EnqueueOptions,
  FanOutQueue,
  FanOutSlice,
  RecipientPage,
  RecipientPages,
  RecipientSource,
} from '../../../lambdas/core/ports.js';

const keyOf = (source: RecipientSource): string => JSON.stringify(source);

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
  /** The delay each enqueued slice was given (same order as `slices`). */
  readonly delays: (number | undefined)[] = [];
  readonly deadLetters: FanOutSlice[] = [];
  /** Events in order, shared with a messenger to check what happened first. */
  constructor(
    readonly log: string[] = [],
    public failWith?: Error,
  ) {}

  async enqueue(slices: readonly FanOutSlice[], options: EnqueueOptions = {}): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.slices.push(...slices);
    for (const slice of slices) {
      this.delays.push(options.delaySeconds);
      this.log.push(`enqueue:${slice.kind}`);
    }
  }

  async deadLetter(slices: readonly FanOutSlice[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.deadLetters.push(...slices);
    for (const slice of slices) this.log.push(`deadLetter:${slice.kind}`);
  }
}

/** A queue that refuses every enqueue but takes dead letters (SQS refusing the main queue only). */
export class RefusingQueue extends RecordingQueue {
  override async enqueue(): Promise<void> {
    throw new Error('SQS refused the queue');
  }
}
