/**
 * One SQS standard queue, in memory, with the semantics consumers rely on:
 *
 * - **Delay**: a message sent with `DelaySeconds` (or into a queue with a delay) is invisible until it passes.
 * - **Visibility timeout**: a received message is invisible for the timeout (the queue's, or the receive's),
 *   then reappears with a higher `ApproximateReceiveCount` unless it was deleted; `ChangeMessageVisibility`
 *   moves that moment (0 makes it visible at once).
 * - **Receipt handles**: each receive gives a new handle. A delete with an older handle of a message that was
 *   received again since succeeds but deletes nothing (SQS documents "the request will still succeed, but the
 *   message might not be deleted"); `ChangeMessageVisibility` with one fails with `MessageNotInflight`; a handle
 *   that is not one of this queue's fails with `ReceiptHandleIsInvalid`.
 * - **Long polling**: a receive waits up to `WaitTimeSeconds` (or the queue's `ReceiveMessageWaitTimeSeconds`)
 *   and returns as soon as any message is visible.
 * - **Redrive**: a message about to be received more than `maxReceiveCount` times is moved to the dead-letter
 *   queue instead (same id, body, attributes and `SentTimestamp`; its receive count carried over; attribute
 *   `DeadLetterQueueSourceArn`).
 * - **Retention**: a message older than `MessageRetentionPeriod` (counted from its original send, also in the
 *   dead-letter queue) is dropped.
 * - **Purge**: removes every message; a second purge within 60 s fails with `PurgeQueueInProgress`.
 *
 * Not reproduced: FIFO ordering, groups and deduplication (a FIFO queue is served as a standard queue), the
 * occasional duplicate delivery and empty short-poll responses of a distributed queue, in-flight limits.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { QueueModel } from '../model.js';
import { invalidParameter, SqsError } from './errors.js';
import { type MessageAttributes, md5Hex, md5OfMessageAttributes, validateMessage } from './message.js';

/** SQS limits. */
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
export const MAX_WAIT_TIME_SECONDS = 20;
export const MAX_RECEIVE_MESSAGES = 10;
/** How long after a purge another purge of the same queue is refused. */
export const PURGE_INTERVAL_MS = 60_000;
/** The `SenderId` every local message carries (there is no IAM principal offline). */
export const LOCAL_SENDER_ID = 'AIDALOCALSENDER000000';

/** A queue's configuration, with SQS's defaults already applied (the template's settings, as read). */
export interface QueueConfig
  extends Pick<
    QueueModel,
    | 'fifo'
    | 'visibilityTimeoutSeconds'
    | 'messageRetentionSeconds'
    | 'delaySeconds'
    | 'receiveMessageWaitTimeSeconds'
    | 'maximumMessageSize'
  > {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  /** Where messages received too often go: `deadLetter` finds the queue (it may be created after this one). */
  readonly redrive?: {
    readonly deadLetterTargetArn: string;
    readonly maxReceiveCount: number;
    readonly deadLetter: () => LocalQueue | undefined;
  };
  /** @default Date.now */
  readonly now?: () => number;
}

/** What to send. */
export interface SendInput {
  readonly body: unknown;
  readonly messageAttributes?: unknown;
  readonly delaySeconds?: unknown;
  /** System attributes kept as they are (`AWSTraceHeader`, and for FIFO queues `MessageGroupId`, …). */
  readonly systemAttributes?: Readonly<Record<string, string>>;
}

/** What a send returns. */
export interface SendResult {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
}

/** A received message, with every system attribute and message attribute (callers select what was asked). */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** `ApproximateReceiveCount`, `SentTimestamp`, `SenderId`, `ApproximateFirstReceiveTimestamp`, … as strings. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: MessageAttributes;
  readonly md5OfMessageAttributes?: string;
}

/** What to receive. */
export interface ReceiveInput {
  /** 1–10. @default 1 */
  readonly maxNumberOfMessages?: number;
  /** @default the queue's visibility timeout */
  readonly visibilityTimeoutSeconds?: number;
  /** 0–20. @default the queue's `ReceiveMessageWaitTimeSeconds` */
  readonly waitTimeSeconds?: number;
  /** Overrides `waitTimeSeconds` with a wait in milliseconds (for the runtime's own pollers, not the API). */
  readonly waitTimeMs?: number;
  /** Ends a long poll early (it then returns what it has: nothing). */
  readonly signal?: AbortSignal;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: MessageAttributes;
  readonly md5OfMessageAttributes: string | undefined;
  readonly sentAt: number;
  readonly systemAttributes: Readonly<Record<string, string>>;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  receiptHandle: string | undefined;
}

/** Reads an integer parameter in `[min, max]`, or the default when absent. @throws SqsError */
export function integerIn(value: unknown, min: number, max: number, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** One in-memory SQS queue (see the module comment). */
export class LocalQueue {
  private messages: StoredMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private lastPurgeAt: number | undefined;
  private closed = false;
  readonly createdAt: number;
  private readonly now: () => number;

  constructor(readonly config: QueueConfig) {
    this.now = config.now ?? Date.now;
    this.createdAt = this.now();
  }

  /** Stores a message. @throws SqsError for an invalid body, attributes or delay */
  send(input: SendInput): SendResult {
    const messageAttributes = validateMessage(
      input.body,
      input.messageAttributes,
      this.config.maximumMessageSize,
    );
    const delay = integerIn(
      input.delaySeconds,
      0,
      MAX_DELAY_SECONDS,
      'DelaySeconds',
      this.config.delaySeconds,
    );
    const body = input.body as string;
    const now = this.now();
    const stored: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes,
      md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
      sentAt: now,
      systemAttributes: { ...input.systemAttributes },
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      firstReceivedAt: undefined,
      receiptHandle: undefined,
    };
    this.messages.push(stored);
    this.notify();
    return {
      messageId: stored.messageId,
      md5OfBody: stored.md5OfBody,
      ...(stored.md5OfMessageAttributes === undefined
        ? {}
        : { md5OfMessageAttributes: stored.md5OfMessageAttributes }),
    };
  }

  /** Receives up to `maxNumberOfMessages` visible messages, long-polling as asked. @throws SqsError */
  async receive(input: ReceiveInput = {}): Promise<ReceivedMessage[]> {
    const max = integerIn(input.maxNumberOfMessages, 1, MAX_RECEIVE_MESSAGES, 'MaxNumberOfMessages', 1);
    const visibility = integerIn(
      input.visibilityTimeoutSeconds,
      0,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
      'VisibilityTimeout',
      this.config.visibilityTimeoutSeconds,
    );
    const wait = integerIn(
      input.waitTimeSeconds,
      0,
      MAX_WAIT_TIME_SECONDS,
      'WaitTimeSeconds',
      this.config.receiveMessageWaitTimeSeconds,
    );
    const deadline = this.now() + (input.waitTimeMs ?? wait * 1000);
    for (;;) {
      if (this.closed || input.signal?.aborted === true) return [];
      const received = this.take(max, visibility);
      if (received.length > 0) return received;
      if (this.now() >= deadline) return received;
      await this.changed(deadline, input.signal);
    }
  }

  /** Deletes the message a receipt handle was given for (see the module comment for stale handles). */
  delete(receiptHandle: string): void {
    const messageId = this.messageIdOf(receiptHandle);
    const index = this.messages.findIndex((message) => message.messageId === messageId);
    const message = this.messages[index];
    // Already deleted (deletes are idempotent), or received again since: succeeds, deletes nothing.
    if (message === undefined || message.receiptHandle !== receiptHandle) return;
    this.messages.splice(index, 1);
  }

  /** Makes an in-flight message visible again after `seconds` from now. @throws SqsError */
  changeVisibility(receiptHandle: string, seconds: unknown): void {
    const timeout = integerIn(seconds, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'VisibilityTimeout', Number.NaN);
    if (Number.isNaN(timeout)) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    }
    const messageId = this.messageIdOf(receiptHandle);
    const now = this.now();
    this.dropExpired(now);
    const message = this.messages.find((candidate) => candidate.messageId === messageId);
    if (message === undefined || message.receiptHandle !== receiptHandle || message.visibleAt <= now) {
      throw new SqsError(
        'MessageNotInflight',
        `Message does not exist or is not available for visibility timeout change.`,
      );
    }
    message.visibleAt = now + timeout * 1000;
    this.notify();
  }

  /** Deletes every message. @throws SqsError `PurgeQueueInProgress` within 60 s of the last purge */
  purge(): void {
    const now = this.now();
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${this.config.name} is allowed every 60 seconds.`,
      );
    }
    this.lastPurgeAt = now;
    this.messages = [];
  }

  /** The message counts SQS reports (`ApproximateNumberOfMessages`, `…NotVisible`, `…Delayed`). */
  counts(): { visible: number; notVisible: number; delayed: number } {
    const now = this.now();
    this.dropExpired(now);
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const message of this.messages) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount === 0) delayed += 1;
      else notVisible += 1;
    }
    return { visible, notVisible, delayed };
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends every long poll (they return empty) and refuses to wait again. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Takes a message moved here from the queue whose dead-letter queue this is. */
  private acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    this.messages.push({
      ...message,
      systemAttributes: { ...message.systemAttributes, DeadLetterQueueSourceArn: sourceArn },
      visibleAt: this.now(),
      receiptHandle: undefined,
    });
    this.notify();
  }

  private take(max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.now();
    this.dropExpired(now);
    const redrive = this.config.redrive;
    const received: ReceivedMessage[] = [];
    for (const message of [...this.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
        const target = redrive.deadLetter();
        if (target !== undefined && target !== this) {
          this.messages.splice(this.messages.indexOf(message), 1);
          target.acceptDeadLetter(message, this.config.arn);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receiptHandle = this.newReceiptHandle(message.messageId);
      message.visibleAt = now + visibilitySeconds * 1000;
      received.push(this.view(message));
    }
    // Other long polls recompute when the next hidden message reappears (these ones now are hidden too).
    if (received.length > 0) this.notify();
    return received;
  }

  private view(message: StoredMessage): ReceivedMessage {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle ?? '',
      body: message.body,
      md5OfBody: message.md5OfBody,
      attributes: {
        ...message.systemAttributes,
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: LOCAL_SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: message.messageAttributes,
      ...(message.md5OfMessageAttributes === undefined
        ? {}
        : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    };
  }

  private dropExpired(now: number): void {
    const retentionMs = this.config.messageRetentionSeconds * 1000;
    if (this.messages.some((message) => now - message.sentAt >= retentionMs)) {
      this.messages = this.messages.filter((message) => now - message.sentAt < retentionMs);
    }
  }

  private newReceiptHandle(messageId: string): string {
    return Buffer.from(`${this.config.name}\n${messageId}\n${randomUUID()}`).toString('base64url');
  }

  /** The message id a handle of this queue names. @throws SqsError `ReceiptHandleIsInvalid` */
  private messageIdOf(receiptHandle: unknown): string {
    const parts =
      typeof receiptHandle === 'string' ? Buffer.from(receiptHandle, 'base64url').toString().split('\n') : [];
    if (parts.length !== 3 || parts[0] !== this.config.name || parts[1] === undefined) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(receiptHandle)}" is not a valid receipt handle.`,
      );
    }
    return parts[1];
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on a send or visibility change, when the next hidden message reappears, at the deadline or abort. */
  private changed(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const now = this.now();
    const reappears = this.messages.reduce(
      (earliest, message) => (message.visibleAt > now ? Math.min(earliest, message.visibleAt) : earliest),
      deadline,
    );
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(deadline, reappears) - now));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
