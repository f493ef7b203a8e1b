/**
 * One delivery round: a sender sends M stamped messages back to back and every client of the fleet is
 * expected to receive each of them once; records what arrived, when, and how late.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Fleet } from './fleet.js';
import { type BenchData, benchData, readBenchData, rejectionOf } from './payload.js';
import { type WaitOutcome, waitUntil } from './wait.js';

/** What one round measured. Latencies are raw, so rounds can be pooled before taking percentiles. */
export interface RoundResult {
  readonly expected: number;
  readonly delivered: number;
  /** Frames of this round received a second time by the same client. */
  readonly duplicates: number;
  /** From the first send to the last counted receipt, in ms (0 when nothing arrived). */
  readonly elapsedMs: number;
  /** Receive time − send time of every counted delivery, in ms. */
  readonly latenciesMs: readonly number[];
  readonly outcome: WaitOutcome;
  /** Refusals received during the round, by kind (e.g. `gateway: Too many requests`). */
  readonly rejections: Readonly<Record<string, number>>;
}

/** Options of {@link runRound}. */
export interface RoundOptions {
  readonly fleet: Fleet;
  /** Unique per round; stale frames of other rounds are ignored. */
  readonly run: string;
  readonly messages: number;
  readonly payloadBytes: number;
  /** Sends one message whose `data` is given, e.g. as `sendmessage` or `publish`. */
  readonly send: (data: BenchData) => void;
  readonly timeoutMs: number;
  readonly idleMs: number;
}

/** Sends `messages` messages at once and waits (bounded) until every client has every one of them. */
export async function runRound(options: RoundOptions): Promise<RoundResult> {
  const { fleet, run, messages, payloadBytes, send } = options;
  const recipients = fleet.clients.length;
  const expected = recipients * messages;
  const seen = new Uint8Array(expected);
  const latenciesMs: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  let lastReceipt = Number.NaN;
  const rejections: Record<string, number> = {};
  fleet.listen((index, frame, receivedAt) => {
    const data = readBenchData(frame);
    if (data === undefined) {
      const rejection = rejectionOf(frame);
      if (rejection !== undefined) rejections[rejection] = (rejections[rejection] ?? 0) + 1;
      return;
    }
    if (data.run !== run || !Number.isInteger(data.seq)) return;
    if (data.seq < 0 || data.seq >= messages) return;
    const slot = index * messages + data.seq;
    if (seen[slot] === 1) {
      duplicates += 1;
      return;
    }
    seen[slot] = 1;
    delivered += 1;
    latenciesMs.push(receivedAt - data.t);
    lastReceipt = receivedAt;
  });

  const firstSend = performance.now();
  let lastSend = firstSend;
  for (let seq = 0; seq < messages; seq += 1) {
    lastSend = performance.now();
    send(benchData(run, seq, lastSend, payloadBytes));
  }
  const outcome = await waitUntil(() => delivered >= expected, {
    timeoutMs: options.timeoutMs,
    idleMs: options.idleMs,
    lastActivity: () => (Number.isNaN(lastReceipt) ? lastSend : Math.max(lastReceipt, lastSend)),
  });
  fleet.listen(() => {});
  return {
    expected,
    delivered,
    duplicates,
    elapsedMs: Number.isNaN(lastReceipt) ? 0 : lastReceipt - firstSend,
    latenciesMs,
    outcome,
    rejections,
  };
}
