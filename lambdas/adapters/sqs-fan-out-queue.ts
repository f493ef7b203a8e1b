/**
 * `FanOutQueue` on SQS, and the wire format of a slice in a message body.
 *
 * The frame travels base64-encoded: a 128 KiB frame can double in size as a JSON string (every `"` escaped),
 * but is only 4/3 larger in base64, so a slice of up to `MAX_SLICE_SIZE` ids always fits one 256 KiB message.
 *
 * @module
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EnqueueOptions, FanOutQueue, FanOutSlice, RecipientSource } from '../core/ports.js';

/** SQS's limit of entries in one `SendMessageBatch`. */
export const SEND_BATCH_LIMIT = 10;

/** The largest body (and batch) we send, in bytes: SQS's long-standing 256 KiB message limit. */
export const MAX_MESSAGE_BYTES = 262_144;

/** A message body that is not a slice this adapter wrote. */
export class BadSliceError extends Error {
  override readonly name = 'BadSliceError';
}

/** SQS accepted only part of a batch. */
export class EnqueueError extends Error {
  override readonly name = 'EnqueueError';
}

/** The JSON body of a slice message (version 1). */
export const encodeSlice = (slice: FanOutSlice): string =>
  JSON.stringify({
    v: 1,
    kind: slice.kind,
    route: slice.route,
    frame: Buffer.from(slice.frame, 'utf8').toString('base64'),
    deduplicated: slice.deduplicated,
    ...(slice.requeue === false ? { requeue: false } : {}),
    ...(slice.kind === 'post'
      ? { ids: slice.ids, ...(slice.attempt === undefined ? {} : { attempt: slice.attempt }) }
      : { source: slice.source, cursor: slice.cursor }),
  });

const isSource = (value: unknown): value is RecipientSource => {
  if (typeof value !== 'object' || value === null) return false;
  const source = value as { channel?: unknown; shard?: unknown; presence?: unknown; user?: unknown };
  return (
    typeof source.channel === 'string' ||
    Number.isInteger(source.shard) ||
    typeof source.presence === 'string' ||
    typeof source.user === 'string'
  );
};

const isAttempt = (value: unknown): value is number | undefined =>
  value === undefined || (Number.isInteger(value) && (value as number) >= 1);

/** Reads a body written by {@link encodeSlice}. @throws {BadSliceError} */
export const decodeSlice = (body: string): FanOutSlice => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadSliceError('slice body is not JSON', { cause: error });
  }
  const b = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (
    b.v !== 1 ||
    typeof b.route !== 'string' ||
    typeof b.frame !== 'string' ||
    typeof b.deduplicated !== 'boolean' ||
    (b.requeue !== undefined && b.requeue !== false)
  ) {
    throw new BadSliceError(`not a version 1 slice: ${body.slice(0, 80)}`);
  }
  const common = {
    route: b.route,
    frame: Buffer.from(b.frame, 'base64').toString('utf8'),
    deduplicated: b.deduplicated,
    ...(b.requeue === false ? { requeue: false as const } : {}),
  };
  if (
    b.kind === 'post' &&
    Array.isArray(b.ids) &&
    b.ids.every((id) => typeof id === 'string') &&
    isAttempt(b.attempt)
  ) {
    return {
      kind: 'post',
      ...common,
      ids: b.ids as string[],
      ...(b.attempt === undefined ? {} : { attempt: b.attempt }),
    };
  }
  if (b.kind === 'page' && isSource(b.source) && typeof b.cursor === 'string') {
    return { kind: 'page', ...common, source: b.source, cursor: b.cursor };
  }
  throw new BadSliceError(`slice has a bad kind, ids, source or cursor: ${body.slice(0, 80)}`);
};

/** Groups bodies into batches of at most 10 entries and 256 KiB. */
const batchesOf = (bodies: readonly string[]): string[][] => {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > MAX_MESSAGE_BYTES)
      throw new EnqueueError(`a slice of ${size} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    if (current.length === SEND_BATCH_LIMIT || bytes + size > MAX_MESSAGE_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

/**
 * Sends slices with `SendMessageBatch` (10 entries or 256 KiB a call, all calls at once). The client is
 * injected: built once per container in production, mocked with `aws-sdk-client-mock` in tests. Dead-lettered
 * slices go to `deadLetterQueueUrl`, the queue's own redrive target, so its alarm covers both ways in.
 *
 * @example
 * await new SqsFanOutQueue(sqsClient, process.env.FANOUT_QUEUE_URL, process.env.FANOUT_DLQ_URL).enqueue(slices);
 */
export class SqsFanOutQueue implements FanOutQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #deadLetterQueueUrl: string | undefined;

  constructor(client: SQSClient, queueUrl: string, deadLetterQueueUrl?: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
    this.#deadLetterQueueUrl = deadLetterQueueUrl;
  }

  /** @throws {EnqueueError} when SQS refuses any entry (the caller's slice is then retried whole). */
  enqueue(slices: readonly FanOutSlice[], options: EnqueueOptions = {}): Promise<void> {
    return this.#send(this.#queueUrl, slices, options.delaySeconds);
  }

  /** @throws {EnqueueError} when no dead-letter queue is configured, or SQS refuses any entry. */
  deadLetter(slices: readonly FanOutSlice[]): Promise<void> {
    if (this.#deadLetterQueueUrl === undefined) {
      return Promise.reject(new EnqueueError('no dead-letter queue is configured (FANOUT_DLQ_URL)'));
    }
    return this.#send(this.#deadLetterQueueUrl, slices, undefined);
  }

  async #send(queueUrl: string, slices: readonly FanOutSlice[], delaySeconds: number | undefined) {
    const batches = batchesOf(slices.map(encodeSlice));
    await Promise.all(
      batches.map(async (bodies) => {
        const result = await this.#client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.map((body, i) => ({
              Id: String(i),
              MessageBody: body,
              ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
            })),
          }),
        );
        const failed = result.Failed ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new EnqueueError(
            `SQS refused ${failed.length} of ${bodies.length} slice(s): ${first?.Code ?? '?'} ${first?.Message ?? ''}`,
          );
        }
      }),
    );
  }
}
