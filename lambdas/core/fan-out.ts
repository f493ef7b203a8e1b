/**
 * Delivers one frame to many connections: recipients are read page by page and posted to with bounded
 * concurrency; gone connections are cleaned up, retryable failures are retried with backoff while time
 * allows, and no single recipient can stop the rest.
 *
 * @module
 */
import { readAhead } from './async-pages.js';
import { backoffDelayMs } from './backoff.js';
import type { RetryPolicy } from './constants.js';
import { RetryableSendError } from './errors.js';
import type { ConnectionStore, Messenger, RemovedConnection } from './ports.js';

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
}

/** How a fan-out runs. Time, sleeping and randomness are injected so tests are deterministic. */
export interface FanOutOptions {
  /** Most sends in flight at once (at least 1). */
  readonly concurrency: number;
  /** No retry is started if its wait would end after this instant (epoch ms, as `now()` counts). */
  readonly deadline: number;
  readonly retry: RetryPolicy;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Numbers in [0, 1) for the backoff jitter. */
  readonly random: () => number;
  readonly onProblem?: (problem: FanOutProblem) => void;
}

/** Outcome counts of one fan-out. */
export interface FanOutResult {
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
  /** Retries started (a recipient retried twice counts 2), whatever their outcome. */
  readonly retried: number;
}

type Outcome = 'delivered' | 'gone' | 'failed';

async function* eachRecipient(pages: AsyncIterable<readonly string[]>): AsyncGenerator<string> {
  // The next page is read while this one is being posted to.
  for await (const page of readAhead(pages)) {
    yield* page;
  }
}

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

const deliver = async (
  connectionId: string,
  frame: string,
  ports: FanOutPorts,
  options: FanOutOptions,
  onRetry: () => void,
): Promise<Outcome> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      if ((await ports.messenger.send(connectionId, frame)) === 'gone') {
        await removeGone(connectionId, ports, options);
        return 'gone';
      }
      return 'delivered';
    } catch (error) {
      const delay = backoffDelayMs(attempt, options.retry, options.random);
      const canRetry =
        error instanceof RetryableSendError &&
        attempt < options.retry.maxAttempts &&
        options.now() + delay <= options.deadline;
      if (!canRetry) {
        options.onProblem?.({ connectionId, stage: 'send', error });
        return 'failed';
      }
      onRetry();
      await options.sleep(delay);
    }
  }
};

/**
 * Sends `frame` to every connection id yielded by `recipients`.
 *
 * A fixed pool of `concurrency` workers pulls ids from one shared iterator, so at most `concurrency` sends
 * are in flight; the next page is read as soon as the current one arrives, so its round trip overlaps the sends. A `'gone'` answer removes **that
 * recipient** from the store. A `RetryableSendError` is retried with full-jitter backoff until
 * `retry.maxAttempts` or the deadline; any other error counts as `failed` at once. Errors from reading
 * `recipients` (the store) are rethrown after in-flight sends have settled.
 *
 * @example
 * const result = await fanOut(store.subscribers('lobby'), frame, { messenger, store }, options);
 * // → { delivered: 3, gone: 1, failed: 0, retried: 0 }
 */
export const fanOut = async (
  recipients: AsyncIterable<readonly string[]>,
  frame: string,
  ports: FanOutPorts,
  options: FanOutOptions,
): Promise<FanOutResult> => {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const counts = { delivered: 0, gone: 0, failed: 0, retried: 0 };
  const onRetry = (): void => {
    counts.retried += 1;
  };
  const ids = eachRecipient(recipients);
  const worker = async (): Promise<void> => {
    // Concurrent next() calls on one async generator are queued, so each id goes to exactly one worker.
    for (let next = await ids.next(); !next.done; next = await ids.next()) {
      counts[await deliver(next.value, frame, ports, options, onRetry)] += 1;
    }
  };
  const workers = await Promise.allSettled(Array.from({ length: options.concurrency }, worker));
  const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failure !== undefined) {
    throw failure.reason;
  }
  return counts;
};
