/**
 * Delivers one frame to many connections: recipients are read page by page and posted to with bounded
 * concurrency; gone connections are cleaned up, retryable failures are retried with backoff while time and
 * the invocation's retry budget allow, and no single recipient can stop the rest. At the deadline no new
 * recipient is taken: the ones not yet attempted are returned, so a queue can take them over.
 *
 * @module
 */
import { readAhead } from './async-pages.js';
import { backoffDelayMs } from './backoff.js';
import { POST_TIMEOUT_MS, type RetryPolicy } from './constants.js';
import { RetryableSendError } from './errors.js';
import type { ConnectionStore, Messenger, RemovedConnection } from './ports.js';
import { RetryBudget } from './retry-budget.js';

/** The ports a fan-out needs. */
export interface FanOutPorts {
  readonly messenger: Messenger;
  /** Used to remove a recipient that turned out to be gone. */
  readonly store: Pick<ConnectionStore, 'removeConnection'>;
  /** Runs after a gone recipient was removed, e.g. to announce its `leave` where it was present. */
  readonly afterRemoval?: (removed: RemovedConnection, options: FanOutOptions) => Promise<void>;
}

/** Something that went wrong for one recipient; reported, never thrown. */
export interface FanOutProblem {
  readonly connectionId: string;
  /** `send`: the recipient counts as failed. `cleanup`: it was gone, but removing it failed. */
  readonly stage: 'send' | 'cleanup';
  readonly error: unknown;
  /** Why a failed send was not retried. */
  readonly reason?: string;
}

/** How a fan-out runs. Time, sleeping and randomness are injected so tests are deterministic. */
export interface FanOutOptions {
  /** Most sends in flight at once (at least 1). */
  readonly concurrency: number;
  /**
   * The instant (epoch ms, as `now()` counts) by which the fan-out must be over: no recipient is taken at or
   * after it, no retry starts whose wait would end after it, and no post may run past it.
   */
  readonly deadline: number;
  readonly retry: RetryPolicy;
  /**
   * Retries left for the whole invocation, shared by all its recipients and fan-outs.
   *
   * @default a fresh `RetryBudget` per `fanOut` call
   */
  readonly retryBudget?: RetryBudget;
  /**
   * Longest a single post may take; each post gets the smaller of this and the time left to the deadline.
   *
   * @default POST_TIMEOUT_MS (5 s)
   */
  readonly postTimeoutMs?: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Numbers in [0, 1) for the backoff jitter. */
  readonly random: () => number;
  readonly onProblem?: (problem: FanOutProblem) => void;
}

/** What the frame promises its recipients. */
export interface Delivery {
  /**
   * The frame carries a `seq` that clients deduplicate, so a post that timed out (and may have landed) can
   * be retried; without it such a post counts as failed rather than risk a duplicate.
   *
   * @default false
   */
  readonly deduplicated?: boolean;
  /**
   * A recipient that failed for now may get the frame later from the queue (re-enqueued after a delay), out of
   * order with frames sent after it. `false` for presence events, where order matters more than delivery: a
   * `join` arriving after the same member's `leave` would leave a ghost in the member list.
   *
   * @default true
   */
  readonly requeue?: boolean;
}

/** Outcome counts of one fan-out. */
export interface FanOutResult {
  readonly delivered: number;
  readonly gone: number;
  /** Recipients given up on: fatal errors, retries exhausted, over budget or past the deadline. */
  readonly failed: number;
  /** Retries started (a recipient retried twice counts 2), whatever their outcome. */
  readonly retried: number;
  /**
   * Recipients left to the queue: not attempted because the deadline came first (see
   * {@link FanOutReport.remaining}), or, inline, failed for now and re-enqueued for a later attempt.
   */
  readonly handedOff: number;
}

/** Outcome of one fan-out, with what it left for someone else to deliver. */
export interface FanOutReport extends FanOutResult {
  /** The ids read but not attempted (`handedOff` of them), for a queue to take over. */
  readonly remaining: readonly string[];
  /**
   * The failed ids (counted in `failed`) that a later attempt may still reach without a duplicate the client
   * cannot drop: a transient failure (throttling, 5xx, network, or a timeout of a frame with a `seq`) whose
   * retry was refused only for attempts, deadline or budget. A queue re-enqueues these. Only this fan-out's
   * own recipients: never those of a `leave` announced because one of them was gone.
   */
  readonly retryLater: readonly string[];
  /**
   * `true` when the deadline came before the pages were known to be exhausted: recipients in pages not read
   * are not in `remaining` (the queued fan-out never leaves any: it reads its one page before posting).
   */
  readonly unreadPages: boolean;
}

type Outcome = 'delivered' | 'gone' | 'failed' | 'retryLater';

const removeGone = async (
  connectionId: string,
  ports: FanOutPorts,
  options: FanOutOptions,
): Promise<void> => {
  try {
    const removed = await ports.store.removeConnection(connectionId);
    await ports.afterRemoval?.(removed, options);
  } catch (error) {
    options.onProblem?.({ connectionId, stage: 'cleanup', error });
  }
};

/** Why a failed post is not retried, or `undefined` when it may be. */
const retryRefusal = (
  error: unknown,
  attempt: number,
  delay: number,
  budget: RetryBudget,
  options: FanOutOptions,
  delivery: Delivery,
): string | undefined => {
  if (!(error instanceof RetryableSendError)) return 'not retryable';
  if (error.mayHaveLanded && delivery.deduplicated !== true) return 'may have landed; the frame has no seq';
  if (attempt >= options.retry.maxAttempts) return 'attempts exhausted';
  if (options.now() + delay > options.deadline) return 'deadline';
  if (!budget.tryRetry(error.mayHaveLanded ? 'timeout' : 'throttled')) return 'retry budget spent';
  return undefined;
};

const deliver = async (
  connectionId: string,
  frame: string,
  ports: FanOutPorts,
  options: FanOutOptions,
  budget: RetryBudget,
  delivery: Delivery,
  onRetry: () => void,
): Promise<Outcome> => {
  const postTimeoutMs = options.postTimeoutMs ?? POST_TIMEOUT_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const timeoutMs = Math.min(postTimeoutMs, options.deadline - options.now());
      if ((await ports.messenger.send(connectionId, frame, { timeoutMs })) === 'gone') {
        await removeGone(connectionId, ports, options);
        return 'gone';
      }
      budget.recordSuccess();
      return 'delivered';
    } catch (error) {
      const delay = backoffDelayMs(attempt, options.retry, options.random);
      const refusal = retryRefusal(error, attempt, delay, budget, options, delivery);
      if (refusal !== undefined) {
        const retryLater =
          error instanceof RetryableSendError && (!error.mayHaveLanded || delivery.deduplicated === true);
        options.onProblem?.({ connectionId, stage: 'send', error, reason: refusal });
        return retryLater ? 'retryLater' : 'failed';
      }
      onRetry();
      await options.sleep(delay);
    }
  }
};

const isIdList = (
  recipients: AsyncIterable<readonly string[]> | readonly string[],
): recipients is readonly string[] => Array.isArray(recipients);

/** Ids pulled from the pages on demand, reading the next page ahead; stops handing out ids when told. */
class RecipientCursor {
  readonly #pages: AsyncIterator<readonly string[]>;
  #page: readonly string[] = [];
  #index = 0;
  #done = false;
  #reading: Promise<void> | undefined;

  constructor(pages: AsyncIterable<readonly string[]> | readonly string[]) {
    if (isIdList(pages)) {
      // Recipients already in hand: one page, nothing to read.
      this.#pages = idsAsPages([])[Symbol.asyncIterator]();
      this.#page = pages;
      this.#done = true;
    } else {
      // The next page is read while this one is being posted to.
      this.#pages = readAhead(pages)[Symbol.asyncIterator]();
    }
  }

  /** The next id, or `undefined` when the pages are exhausted. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const id = this.#page[this.#index];
      if (id !== undefined) {
        this.#index += 1;
        return id;
      }
      if (this.#done) return undefined;
      // Concurrent callers share one page read.
      this.#reading ??= this.#pages.next().then(
        (result) => {
          this.#reading = undefined;
          if (result.done) this.#done = true;
          else {
            this.#page = result.value;
            this.#index = 0;
          }
        },
        (error: unknown) => {
          this.#reading = undefined;
          this.#done = true;
          throw error;
        },
      );
      await this.#reading;
    }
  }

  /** The ids read but not handed out, and whether pages were left unread; stops reading. */
  async stop(): Promise<{ remaining: string[]; unreadPages: boolean }> {
    const remaining = this.#page.slice(this.#index);
    this.#index = this.#page.length;
    const unreadPages = !this.#done;
    this.#done = true;
    if (unreadPages) await this.#pages.return?.();
    return { remaining, unreadPages };
  }
}

/**
 * Sends `frame` to every connection id yielded by `recipients` (pages, or a list of ids already in hand),
 * until the deadline.
 *
 * A fixed pool of `concurrency` workers pulls ids from one shared cursor, so at most `concurrency` sends
 * are in flight; the next page is read as soon as the current one arrives, so its round trip overlaps the
 * sends. A `'gone'` answer removes **that recipient** from the store. A `RetryableSendError` is retried with
 * full-jitter backoff until `retry.maxAttempts`, the deadline or the shared retry budget says no; a post that
 * may have landed is retried only for a `deduplicated` frame; any other error counts as `failed` at once.
 * Each post's timeout is capped by the time left. At the deadline no new recipient is taken: the ids
 * already read come back in `remaining` (`handedOff`). Errors from reading `recipients` (the store) are
 * rethrown after in-flight sends have settled.
 *
 * @example
 * const result = await fanOut(store.subscribers('lobby'), frame, { messenger, store }, options, { deduplicated: true });
 * // → { delivered: 3, gone: 1, failed: 0, retried: 0, handedOff: 0, remaining: [], unreadPages: false }
 */
export const fanOut = async (
  recipients: AsyncIterable<readonly string[]> | readonly string[],
  frame: string,
  ports: FanOutPorts,
  options: FanOutOptions,
  delivery: Delivery = {},
): Promise<FanOutReport> => {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const budget = options.retryBudget ?? new RetryBudget();
  const counts = { delivered: 0, gone: 0, failed: 0, retried: 0 };
  const retryLater: string[] = [];
  const onRetry = (): void => {
    counts.retried += 1;
  };
  const cursor = new RecipientCursor(recipients);
  const worker = async (): Promise<void> => {
    while (options.now() < options.deadline) {
      const id = await cursor.next();
      if (id === undefined) return;
      const outcome = await deliver(id, frame, ports, options, budget, delivery, onRetry);
      if (outcome === 'retryLater') {
        retryLater.push(id);
        counts.failed += 1;
      } else {
        counts[outcome] += 1;
      }
    }
  };
  const workers = await Promise.allSettled(Array.from({ length: options.concurrency }, worker));
  const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failure !== undefined) {
    throw failure.reason;
  }
  const { remaining, unreadPages } = await cursor.stop();
  return { ...counts, handedOff: remaining.length, remaining, retryLater, unreadPages };
};

/** The pages of a list of ids (one page), for fanning out to recipients already in hand. */
export async function* idsAsPages(ids: readonly string[]): AsyncGenerator<readonly string[]> {
  if (ids.length > 0) yield ids;
}
