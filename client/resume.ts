/**
 * The per-channel merge buffer behind the resume guarantee: messages reach the application once each, in
 * `seq` order, with no gap that the server's history could fill.
 *
 * Messages come from two sources that overlap: live `message` frames, and history (a subscribe ack's
 * `messages`, `history` pages). Both go through one buffer keyed by `seq`:
 *
 * - anything at or below `lastSeq` (the last seq delivered) is a duplicate and is dropped;
 * - while a subscribe is in flight (`syncing`), live frames are held until its ack has been applied;
 * - otherwise a message is delivered only when it is the next seq; a later one is held and the stream
 *   reports a gap. Live frames of one channel can arrive out of order (each publish fans out on its own),
 *   so the gap usually closes by itself; when it does not, the owner reads history (a *fill*) and
 *   {@link ChannelStream.settle} skips what history does not have either.
 *
 * A seq that is missing from history may still be in flight (the server assigns the seq before it writes the
 * message), so only a fill, made a grace period after the gap was seen, may skip a seq; a subscribe ack never
 * does. This module does no I/O and has no timers: the subscription drives it.
 *
 * @module
 */
import type { MessageEnvelope } from './protocol.js';

interface Held {
  readonly message: MessageEnvelope;
  /** The epoch in which the message arrived; see {@link ChannelStream.settle}. */
  readonly epoch: number;
}

/** What {@link ChannelStream.receive} did with a live message. */
export type ReceiveOutcome = 'delivered' | 'held' | 'dropped' | 'gap';

/**
 * Orders and de-duplicates one channel's messages.
 *
 * @example
 * const stream = new ChannelStream((message) => render(message));
 * const epoch = stream.beginSync();       // subscribe sent
 * stream.receive(live);                   // held
 * stream.applyHistory(ack.messages);      // delivered in order, live ones merged in
 * stream.settle(ack.seq, epoch, false);   // live delivery resumes
 */
export class ChannelStream {
  readonly #deliver: (message: MessageEnvelope) => void;
  readonly #held = new Map<number, Held>();
  #lastSeq: number | undefined;
  #syncing = false;
  #epoch = 0;

  /** @param deliver - called once per message, in seq order. */
  constructor(deliver: (message: MessageEnvelope) => void) {
    this.#deliver = deliver;
  }

  /** The seq of the last message delivered, or the starting point; undefined before the first ack. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  /** Whether live messages are being held for a subscribe ack. */
  get syncing(): boolean {
    return this.#syncing;
  }

  /** How many messages wait for an earlier seq or for an ack. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** A subscribe was sent: hold live messages until {@link settle}. Returns the epoch to settle with. */
  beginSync(): number {
    this.#syncing = true;
    return this.#nextEpoch();
  }

  /** A history read for a gap was sent. Returns the epoch to settle with. */
  beginFill(): number {
    return this.#nextEpoch();
  }

  /** A live message arrived. */
  receive(message: MessageEnvelope): ReceiveOutcome {
    const last = this.#lastSeq;
    if ((last !== undefined && message.seq <= last) || this.#held.has(message.seq)) {
      return 'dropped';
    }
    if (this.#syncing) {
      this.#hold(message);
      return 'held';
    }
    if (last === undefined) {
      // No ack gave a starting point (a server that sends no seq): the first message is the start.
      this.#emit(message);
      this.#drainContiguous();
      return 'delivered';
    }
    if (message.seq === last + 1) {
      this.#emit(message);
      this.#drainContiguous();
      return 'delivered';
    }
    this.#hold(message);
    return 'gap';
  }

  /**
   * Merges history (oldest first or not) into the buffer and delivers whatever has become contiguous.
   * History replaces a held live message of the same seq. With no starting point yet (first subscribe
   * with history, or after a reset) the oldest message given is the start.
   */
  applyHistory(messages: readonly MessageEnvelope[]): void {
    if (messages.length === 0) {
      return;
    }
    if (this.#lastSeq === undefined) {
      this.#lastSeq = Math.min(...messages.map((message) => message.seq)) - 1;
    }
    for (const message of messages) {
      if (message.seq > this.#lastSeq) {
        this.#held.set(message.seq, { message, epoch: this.#epoch });
      }
    }
    this.#drainContiguous();
  }

  /** Sets the starting point when nothing defined one: the stream continues after `seq`. */
  startAfter(seq: number): void {
    if (this.#lastSeq === undefined) {
      this.#lastSeq = seq;
      this.#dropDelivered();
      this.#drainContiguous();
    }
  }

  /**
   * Forgets the position: the server no longer has what followed it (`recovered: false`) or its sequence
   * started over. The next history applied becomes the start.
   */
  forget(): void {
    this.#lastSeq = undefined;
  }

  /**
   * Ends a sync or a fill: resumes live delivery and reports whether a gap remains.
   *
   * @param latest - the channel's latest seq according to the reply just applied, if it said.
   * @param epoch - what {@link beginSync} or {@link beginFill} returned. A held message above `latest`
   *   that arrived before that request was sent cannot be real (a real one would be at most `latest`);
   *   it is dropped. Such frames can be forged by anyone through the `sendmessage` broadcast.
   * @param skipHoles - true after a fill: seqs up to `latest` that history did not have either are
   *   skipped, delivering what is held above them.
   * @returns whether messages are still held behind a missing seq.
   */
  settle(latest: number | undefined, epoch: number, skipHoles: boolean): boolean {
    this.#syncing = false;
    for (const [seq, held] of this.#held) {
      if (latest !== undefined && seq > latest && held.epoch < epoch) {
        this.#held.delete(seq);
      }
    }
    if (this.#lastSeq === undefined && this.#held.size > 0) {
      // Still no starting point: the oldest message held is the start.
      this.#lastSeq = Math.min(...this.#held.keys()) - 1;
    }
    if (skipHoles) {
      for (const seq of this.#heldSeqs()) {
        const held = this.#held.get(seq);
        if (held !== undefined && latest !== undefined && seq <= latest) {
          this.#held.delete(seq);
          this.#emit(held.message);
        }
      }
    }
    this.#drainContiguous();
    return this.#held.size > 0;
  }

  /** Delivers everything held, in order, skipping whatever is missing; used when history cannot be read. */
  releaseAll(): void {
    this.#syncing = false;
    for (const seq of this.#heldSeqs()) {
      const held = this.#held.get(seq);
      this.#held.delete(seq);
      if (held !== undefined && (this.#lastSeq === undefined || seq > this.#lastSeq)) {
        this.#emit(held.message);
      }
    }
  }

  #nextEpoch(): number {
    this.#epoch += 1;
    return this.#epoch;
  }

  #hold(message: MessageEnvelope): void {
    this.#held.set(message.seq, { message, epoch: this.#epoch });
  }

  #emit(message: MessageEnvelope): void {
    this.#lastSeq = message.seq;
    this.#deliver(message);
  }

  #heldSeqs(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  #dropDelivered(): void {
    for (const seq of this.#held.keys()) {
      if (this.#lastSeq !== undefined && seq <= this.#lastSeq) {
        this.#held.delete(seq);
      }
    }
  }

  #drainContiguous(): void {
    if (this.#syncing || this.#lastSeq === undefined) {
      return;
    }
    this.#dropDelivered();
    let next = this.#held.get(this.#lastSeq + 1);
    while (next !== undefined) {
      this.#held.delete(next.message.seq);
      this.#emit(next.message);
      next = this.#held.get(this.#lastSeq + 1);
    }
  }
}
