/**
 * The `data` a benchmark message carries, and how a received frame is read back. The sender stamps each
 * message with its sequence number and its send time on the process's monotonic clock, so a receiver in the
 * same process can compute latency without any clock sync.
 *
 * @module
 */

/** The `data` of one benchmark message. */
export interface BenchData {
  /** Tags one round, so a late delivery from an earlier round is never counted in a later one. */
  readonly run: string;
  /** 0-based position of the message within its round. */
  readonly seq: number;
  /** Send time, `performance.now()` in ms. */
  readonly t: number;
  /** Padding that gives every message the same configured size. */
  readonly pad: string;
}

/** Builds the `data` of message `seq` of round `run`, padded to `payloadBytes` characters. */
export function benchData(run: string, seq: number, sentAt: number, payloadBytes: number): BenchData {
  return { run, seq, t: sentAt, pad: 'x'.repeat(payloadBytes) };
}

function isBenchData(value: unknown): value is BenchData {
  if (typeof value !== 'object' || value === null) return false;
  const { run, seq, t } = value as Record<string, unknown>;
  return typeof run === 'string' && typeof seq === 'number' && typeof t === 'number';
}

function parseJson(frame: string): unknown {
  try {
    return JSON.parse(frame);
  } catch {
    return undefined;
  }
}

/**
 * Reads the benchmark message out of a received text frame: a `sendmessage` broadcast arrives as the raw JSON
 * of `data`, a channel publish as a `{"type":"message",…,"data":…}` envelope. Acks, errors and anything else
 * give `undefined`.
 */
export function readBenchData(frame: string): BenchData | undefined {
  const parsed = parseJson(frame);
  if (isBenchData(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null) {
    const envelope = parsed as Record<string, unknown>;
    if (envelope.type === 'message' && isBenchData(envelope.data)) return envelope.data;
  }
  return undefined;
}

/**
 * Names a frame that refused a request, so losses can be explained: API Gateway's own
 * `{"message":"Too many requests",…}` (throttling), `Internal server error` (the integration failed) or
 * `Forbidden`, and the protocol's `{"type":"error","code":…}`. `undefined` for any other frame.
 *
 * @example
 * rejectionOf('{"message":"Too many requests","connectionId":"x","requestId":"y"}'); // 'gateway: Too many requests'
 */
export function rejectionOf(frame: string): string | undefined {
  const parsed = parseJson(frame);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const reply = parsed as Record<string, unknown>;
  if (reply.type === 'error' && typeof reply.code === 'string') return `error: ${reply.code}`;
  if (reply.type === undefined && typeof reply.message === 'string' && 'requestId' in reply) {
    return `gateway: ${reply.message}`;
  }
  return undefined;
}
