/**
 * Fan-out past one Lambda: a small audience is posted to inline; a large one is cut into slices by DynamoDB
 * pages (or broadcast shards) and handed to a queue, whose workers post to one slice each. The route that
 * publishes reads one page per source and enqueues at most a few messages, whatever the audience's size: each
 * worker that reads a page enqueues the next page's slice before it posts to its own, so the pages are read
 * as a chain while the posting runs in parallel across workers. Recipients that fail for now go back to the
 * queue alone, with an attempt number and a delay, until the last attempt sends them to the dead-letter queue.
 *
 * @module
 */
import { DEFAULT_FANOUT_MAX_ATTEMPTS } from './constants.js';
import {
  type Delivery,
  type FanOutOptions,
  type FanOutPorts,
  type FanOutReport,
  type FanOutResult,
  fanOut,
} from './fan-out.js';
import type { FanOutQueue, FanOutSlice, RecipientPages, RecipientSource } from './ports.js';

/** SQS's longest message delay, seconds. */
export const MAX_SLICE_DELAY_SECONDS = 900;

/**
 * How long recipients that failed attempt `attempt` wait in the queue before the next one: 2, 4, 8, 16 … s,
 * at most {@link MAX_SLICE_DELAY_SECONDS}, so a throttled account gets room to recover.
 */
export const sliceRetryDelaySeconds = (attempt: number): number =>
  Math.min(MAX_SLICE_DELAY_SECONDS, 2 ** Math.max(1, attempt));

/** How and when a fan-out goes to the queue. */
export interface QueuePlan {
  readonly queue: FanOutQueue;
  readonly pages: RecipientPages;
  /** Audiences smaller than this are posted to inline (0: always queued). */
  readonly inlineLimit: number;
  /** Most recipients in one slice (one queue message, one DynamoDB page). */
  readonly sliceSize: number;
  /** The route, for the worker's logs. */
  readonly route: string;
  /**
   * Attempts a worker makes for one recipient before its slice is dead-lettered (the queue's
   * `maxReceiveCount`). Only workers read it.
   *
   * @default 5
   */
  readonly maxAttempts?: number;
}

/** The counts of a fan-out, and whether it went to the queue (then the counts cover only the inline part). */
export interface AudienceResult extends FanOutResult {
  readonly queued: boolean;
}

/** `ids` cut into slices of at most `size`. */
export const chunk = <T>(ids: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
};

/** Post slices for `ids`, at most `sliceSize` each. */
export const postSlices = (
  ids: readonly string[],
  frame: string,
  delivery: Delivery,
  route: string,
  sliceSize: number,
  attempt = 1,
): FanOutSlice[] =>
  chunk(ids, sliceSize).map((part) => ({
    kind: 'post',
    route,
    frame,
    deduplicated: delivery.deduplicated === true,
    ...(delivery.requeue === false ? { requeue: false as const } : {}),
    ids: part,
    ...(attempt > 1 ? { attempt } : {}),
  }));

/**
 * Posts `frame` to the recipients of `sources` inline when they are fewer than `plan.inlineLimit`, else
 * hands them to the queue: the first page of each source as post slices, and a page slice for the rest.
 * Recipients an inline fan-out did not reach before its deadline are handed to the queue too, and so are those
 * it failed for now (throttling, 5xx): both count in `handedOff`.
 *
 * @example
 * const result = await fanOutOrQueue([{ channel: 'lobby' }], frame, { deduplicated: true }, ports, options, plan);
 * // → { delivered: 0, gone: 0, failed: 0, handedOff: 0, queued: true } for a large channel
 */
export const fanOutOrQueue = async (
  sources: readonly RecipientSource[],
  frame: string,
  delivery: Delivery,
  ports: FanOutPorts,
  options: FanOutOptions,
  plan: QueuePlan,
): Promise<AudienceResult> => {
  const firstLimit = Math.max(plan.inlineLimit, plan.sliceSize, 1);
  const first = await Promise.all(sources.map((source) => plan.pages.page(source, undefined, firstLimit)));
  const ids = first.flatMap((page) => page.ids);
  if (first.every((page) => page.next === undefined) && ids.length < plan.inlineLimit) {
    const report = await fanOut(ids, frame, ports, options, delivery);
    const handedOff = await enqueueLater(report.remaining, frame, delivery, plan, 1, undefined);
    const requeued =
      delivery.requeue === false
        ? 0
        : await enqueueLater(report.retryLater, frame, delivery, plan, 2, sliceRetryDelaySeconds(1));
    // Recipients the queue took are handed to it, not given up on; those it refused count as failed.
    return {
      ...counts(report),
      failed: report.failed - requeued + (report.remaining.length - handedOff),
      handedOff: handedOff + requeued,
      queued: false,
    };
  }
  const deduplicated = delivery.deduplicated === true;
  await plan.queue.enqueue(
    first.flatMap((page, i): FanOutSlice[] => {
      const source = sources[i] as RecipientSource;
      return [
        ...postSlices(page.ids, frame, delivery, plan.route, plan.sliceSize),
        ...(page.next === undefined
          ? []
          : [
              {
                kind: 'page',
                route: plan.route,
                frame,
                deduplicated,
                ...(delivery.requeue === false ? { requeue: false as const } : {}),
                source,
                cursor: page.next,
              } as const,
            ]),
      ];
    }),
  );
  return { delivered: 0, gone: 0, failed: 0, retried: 0, handedOff: 0, queued: true };
};

/**
 * Fans `frame` out to one source: through {@link fanOutOrQueue} when the ports have a queue plan (large
 * audiences and what the deadline leaves go to the queue), else inline over `inline`, its recipients' pages.
 */
export const fanOutToSource = (
  source: RecipientSource,
  inline: () => AsyncIterable<readonly string[]>,
  frame: string,
  delivery: Delivery,
  ports: FanOutPorts & { readonly fanOutQueue?: QueuePlan },
  options: FanOutOptions,
): Promise<FanOutResult & { readonly queued?: boolean }> =>
  ports.fanOutQueue === undefined
    ? fanOut(inline(), frame, ports, options, delivery)
    : fanOutOrQueue([source], frame, delivery, ports, options, ports.fanOutQueue);

const counts = (report: FanOutReport): FanOutResult => ({
  delivered: report.delivered,
  gone: report.gone,
  failed: report.failed,
  retried: report.retried,
  handedOff: report.handedOff,
});

/**
 * Gives the queue recipients an inline fan-out leaves (at its deadline, or failed for now) and returns how many
 * it took: a queue that refuses leaves them to the caller to count as failed, because the posts are over and
 * the sender's answer should not fail for them.
 */
const enqueueLater = async (
  ids: readonly string[],
  frame: string,
  delivery: Delivery,
  plan: Pick<QueuePlan, 'queue' | 'route' | 'sliceSize'>,
  attempt: number,
  delaySeconds: number | undefined,
): Promise<number> => {
  if (ids.length === 0) return 0;
  try {
    await plan.queue.enqueue(
      postSlices(ids, frame, delivery, plan.route, plan.sliceSize, attempt),
      delaySeconds === undefined ? {} : { delaySeconds },
    );
    return ids.length;
  } catch {
    return 0;
  }
};

/** What delivering one slice came to. */
export interface SliceResult extends FanOutResult {
  /** Recipients read from the table for a page slice (0 for a post slice). */
  readonly read: number;
  /** Recipients that failed for now and were enqueued again, for a later attempt after a delay. */
  readonly requeued: number;
  /**
   * Recipients moved to the dead-letter queue: failed on the last attempt, or refused by the queue when handed
   * back or re-enqueued.
   */
  readonly deadLettered: number;
}

/**
 * Delivers one slice in a worker. A page slice reads its page and enqueues the next page's slice before
 * posting, so the chain never waits for the posting and is never repeated by a retry of this slice.
 *
 * The slice is never retried whole once it has posted: recipients that failed for a reason a later attempt
 * may fix (throttling, 5xx, a network failure, or a timeout of a frame with a `seq`) are enqueued again as a
 * post slice of their own, with the next attempt number and a growing delay; on the last attempt they go to
 * the dead-letter queue instead. Recipients already reached therefore never get the frame twice from a slice
 * retry, even a frame without `seq`. Recipients left at the deadline are handed back with the same attempt.
 * Failures a retry cannot fix (a refused post, or a timed-out frame without `seq` that may have landed) count
 * as `failed` and are dropped, as inline.
 *
 * If the queue refuses the recipients to hand back or retry, they go to the dead-letter queue instead, so the
 * record never fails after posting unless both queues refuse.
 *
 * @throws whatever the table or the queue throw before posting (a page slice's read and next-page enqueue):
 *   the slice is then retried by the queue, having posted nothing; after posting, only when the dead-letter
 *   queue refuses too (then recipients already reached may get the frame again: at-least-once).
 */
export const deliverSlice = async (
  slice: FanOutSlice,
  ports: FanOutPorts,
  options: FanOutOptions,
  plan: Pick<QueuePlan, 'queue' | 'pages' | 'sliceSize' | 'maxAttempts'>,
): Promise<SliceResult> => {
  const delivery: Delivery = {
    deduplicated: slice.deduplicated,
    ...(slice.requeue === false ? { requeue: false } : {}),
  };
  let ids: readonly string[];
  let read = 0;
  if (slice.kind === 'post') {
    ids = slice.ids;
  } else {
    const page = await plan.pages.page(slice.source, slice.cursor, plan.sliceSize);
    if (page.next !== undefined) {
      await plan.queue.enqueue([{ ...slice, cursor: page.next }]);
    }
    ids = page.ids;
    read = ids.length;
  }
  const attempt = slice.kind === 'post' ? (slice.attempt ?? 1) : 1;
  const report = await fanOut(ids, slice.frame, ports, options, delivery);
  // Posting is over: an error thrown from here on would make SQS redeliver the whole slice, repeating its posts
  // (and a page slice's chain), so recipients that cannot be enqueued go to the dead-letter queue instead.
  const lastAttempt = attempt >= (plan.maxAttempts ?? DEFAULT_FANOUT_MAX_ATTEMPTS);
  // Recipients that failed for now, unless the frame must not arrive late (they then stay failed).
  const retryLater = delivery.requeue === false ? [] : report.retryLater;
  const deadLetters = lastAttempt ? [...retryLater] : [];
  const enqueueOrDeadLetter = async (
    recipients: readonly string[],
    nextAttempt: number,
    delaySeconds: number | undefined,
  ): Promise<number> => {
    const sliced = { queue: plan.queue, route: slice.route, sliceSize: plan.sliceSize };
    const taken = await enqueueLater(recipients, slice.frame, delivery, sliced, nextAttempt, delaySeconds);
    if (taken < recipients.length) deadLetters.push(...recipients);
    return taken;
  };
  const handedBack = await enqueueOrDeadLetter(report.remaining, attempt, undefined);
  const requeued = lastAttempt
    ? 0
    : await enqueueOrDeadLetter(retryLater, attempt + 1, sliceRetryDelaySeconds(attempt));
  if (deadLetters.length > 0) {
    // Both queues refusing is the one case left where the record fails and SQS redelivers it whole.
    await plan.queue.deadLetter(
      postSlices(deadLetters, slice.frame, delivery, slice.route, plan.sliceSize, attempt),
    );
  }
  return {
    ...counts(report),
    // Recipients re-enqueued are not given up on; hand-backs the queue refused are counted as dead-lettered.
    failed: report.failed - requeued,
    handedOff: handedBack,
    read,
    requeued,
    deadLettered: deadLetters.length,
  };
};
