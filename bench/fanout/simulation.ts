/**
 * The simulated world of `npm run bench:fanout`: an `@connections` endpoint with AWS-like latency behind the
 * account's token bucket (shared by every function), a table that answers recipient pages after a delay, and
 * an in-memory queue with SQS's semantics that matter here (delivery delay, visibility timeout on a failed
 * slice, dead-lettering after `maxReceiveCount`) feeding N concurrent worker invocations. The publish route and
 * the worker are the real handlers and core; only the AWS services are simulated.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSEvent } from 'aws-lambda';
import { encodeSlice } from '../../lambdas/adapters/sqs-fan-out-queue.js';
import { POST_TIMEOUT_MS, SEND_RETRY_POLICY } from '../../lambdas/core/constants.js';
import { RetryableSendError } from '../../lambdas/core/errors.js';
import type {
  EnqueueOptions,
  FanOutQueue,
  FanOutSlice,
  Messenger,
  RecipientPage,
  RecipientPages,
  SendOptions,
} from '../../lambdas/core/ports.js';
import { SEND_RETRY_BUDGET } from '../../lambdas/core/retry-budget.js';
import type { FanOutSettings } from '../../lambdas/handlers/support/fan-out.js';
import type { RouteLogger } from '../../lambdas/handlers/support/route-response.js';
import type { FanOutBenchOptions } from './options.js';

/** A token bucket: `rate` tokens a second, at most `burst` kept. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.rate) / 1000);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The simulated `@connections` endpoint: latency with jitter, 429 past the account's rate. */
export class SimulatedEndpoint implements Messenger {
  /** Nobody is closed in the scale model. */
  async close(): Promise<'closed'> {
    return 'closed';
  }

  readonly delivered = new Set<string>();
  posts = 0;
  throttled = 0;
  lastDeliveryAt = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly latencyMs: number,
    private readonly jitterMs: number,
  ) {}

  async send(connectionId: string, _frame: string, options: SendOptions = {}): Promise<'sent' | 'gone'> {
    this.posts += 1;
    const admitted = this.bucket.take();
    const latency = Math.max(1, this.latencyMs + (Math.random() * 2 - 1) * this.jitterMs);
    const timeoutMs = options.timeoutMs ?? POST_TIMEOUT_MS;
    await sleep(Math.min(latency, timeoutMs));
    if (!admitted) {
      this.throttled += 1;
      throw new RetryableSendError(connectionId, { cause: new Error('429 LimitExceededException') });
    }
    this.delivered.add(connectionId);
    this.lastDeliveryAt = performance.now();
    if (latency > timeoutMs) throw new RetryableSendError(connectionId, { mayHaveLanded: true });
    return 'sent';
  }
}

/** `count` recipients in one channel, read in pages after a delay. */
export class SimulatedPages implements RecipientPages {
  reads = 0;

  constructor(
    private readonly ids: readonly string[],
    private readonly latencyMs: number,
  ) {}

  async page(_source: unknown, cursor: string | undefined, limit: number): Promise<RecipientPage> {
    this.reads += 1;
    await sleep(this.latencyMs);
    const start = cursor === undefined ? 0 : Number(cursor);
    const ids = this.ids.slice(start, start + limit);
    return start + limit < this.ids.length ? { ids, next: String(start + limit) } : { ids };
  }
}

interface QueuedMessage {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
}

/** The fan-out queue with its dead-letter queue. */
export class SimulatedQueue implements FanOutQueue {
  readonly #messages: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];
  #next = 0;
  sent = 0;

  constructor(private readonly deliveryDelayMs: number) {}

  async enqueue(slices: readonly FanOutSlice[], options: EnqueueOptions = {}): Promise<void> {
    for (const slice of slices) {
      this.sent += 1;
      this.#messages.push({
        id: `m${this.#next++}`,
        body: encodeSlice(slice),
        receiveCount: 0,
        visibleAt: performance.now() + this.deliveryDelayMs + (options.delaySeconds ?? 0) * 1000,
      });
    }
  }

  /** Slices a worker gave up on after its last attempt. */
  async deadLetter(slices: readonly FanOutSlice[]): Promise<void> {
    for (const slice of slices) {
      this.deadLetters.push({
        id: `m${this.#next++}`,
        body: encodeSlice(slice),
        receiveCount: 0,
        visibleAt: 0,
      });
    }
  }

  /** The first visible message (now hidden), or `undefined`. */
  receive(): QueuedMessage | undefined {
    const now = performance.now();
    const index = this.#messages.findIndex((message) => message.visibleAt <= now);
    if (index < 0) return undefined;
    const [message] = this.#messages.splice(index, 1);
    if (message !== undefined) message.receiveCount += 1;
    return message;
  }

  /** A failed message: visible again after `visibilityMs`, or dead-lettered. */
  fail(message: QueuedMessage, visibilityMs: number, maxReceiveCount: number): void {
    if (message.receiveCount >= maxReceiveCount) this.deadLetters.push(message);
    else this.#messages.push({ ...message, visibleAt: performance.now() + visibilityMs });
  }

  get depth(): number {
    return this.#messages.length;
  }
}

/** A logger that drops everything (the bench prints its own figures). */
export const silentLogger: RouteLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as RouteLogger;

/** Real-time fan-out settings with the bench's concurrency. */
export const benchFanOutSettings = (concurrency: number): FanOutSettings => ({
  concurrency,
  retry: SEND_RETRY_POLICY,
  retryBudget: SEND_RETRY_BUDGET,
  postTimeoutMs: POST_TIMEOUT_MS,
  now: () => Date.now(),
  sleep: (ms) => sleep(ms).then(() => undefined),
  random: Math.random,
});

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export const lambdaContext = (timeoutMs: number): Pick<Context, 'getRemainingTimeInMillis'> => {
  const started = Date.now();
  return { getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started) };
};

/** What the simulated workers did. */
export interface WorkerTotals {
  invocations: number;
  lambdaMs: number;
}

/**
 * Runs `options.workers` worker loops until `done()`: each receives one message, invokes `handle`, and fails
 * the message back to the queue when the handler reports it.
 */
export const runWorkers = async (
  queue: SimulatedQueue,
  handle: (
    event: SQSEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ) => Promise<{
    batchItemFailures: { itemIdentifier: string }[];
  }>,
  options: FanOutBenchOptions,
  done: () => boolean,
): Promise<WorkerTotals> => {
  const totals: WorkerTotals = { invocations: 0, lambdaMs: 0 };
  const loop = async (): Promise<void> => {
    while (!done()) {
      const message = queue.receive();
      if (message === undefined) {
        await sleep(2);
        continue;
      }
      const started = performance.now();
      const event = {
        Records: [
          {
            messageId: message.id,
            body: message.body,
            attributes: { ApproximateReceiveCount: String(message.receiveCount) },
          },
        ],
      } as unknown as SQSEvent;
      const result = await handle(event, lambdaContext(options.workerTimeoutMs));
      totals.invocations += 1;
      totals.lambdaMs += performance.now() - started;
      if (result.batchItemFailures.length > 0)
        queue.fail(message, options.visibilityMs, options.maxReceiveCount);
    }
  };
  await Promise.all(Array.from({ length: options.workers }, loop));
  return totals;
};
