/**
 * Fan-out past one Lambda: a small audience is posted to inline; a large one is cut into slices by DynamoDB
 * pages (or broadcast shards) and handed to a queue, whose workers post to one slice each. The route that
 * publishes reads one page per source and enqueues at most a few messages, whatever the audience's size: each
 * worker that reads a page enqueues the next page's slice before it posts to its own, so the pages are read
 * as a chain while the posting runs in parallel across workers.
 *
 * @module
 */
import {
  type Delivery,
  type FanOutOptions,
  type FanOutPorts,
  type FanOutReport,
  type FanOutResult,
  fanOut,
} from './fan-out.js';
import type { FanOutQueue, FanOutSlice, RecipientPages, RecipientSource } from './ports.js';

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
): FanOutSlice[] =>
  chunk(ids, sliceSize).map((part) => ({
    kind: 'post',
    route,
    frame,
    deduplicated: delivery.deduplicated === true,
    ids: part,
  }));

/**
 * Posts `frame` to the recipients of `sources` inline when they are fewer than `plan.inlineLimit`, else
 * hands them to the queue: the first page of each source as post slices, and a page slice for the rest.
 * Recipients an inline fan-out did not reach before its deadline are handed to the queue too.
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
    await handOff(report, frame, delivery, plan);
    return { ...counts(report), queued: false };
  }
  const deduplicated = delivery.deduplicated === true;
  await plan.queue.enqueue(
    first.flatMap((page, i): FanOutSlice[] => {
      const source = sources[i] as RecipientSource;
      return [
        ...postSlices(page.ids, frame, delivery, plan.route, plan.sliceSize),
        ...(page.next === undefined
          ? []
          : [{ kind: 'page', route: plan.route, frame, deduplicated, source, cursor: page.next } as const]),
      ];
    }),
  );
  return { delivered: 0, gone: 0, failed: 0, retried: 0, handedOff: 0, queued: true };
};

const counts = (report: FanOutReport): FanOutResult => ({
  delivered: report.delivered,
  gone: report.gone,
  failed: report.failed,
  retried: report.retried,
  handedOff: report.handedOff,
});

/** Enqueues the recipients a fan-out left at its deadline, if any. */
export const handOff = async (
  report: FanOutReport,
  frame: string,
  delivery: Delivery,
  plan: Pick<QueuePlan, 'queue' | 'route' | 'sliceSize'>,
): Promise<void> => {
  if (report.remaining.length > 0) {
    await plan.queue.enqueue(postSlices(report.remaining, frame, delivery, plan.route, plan.sliceSize));
  }
};

/** What delivering one slice came to. */
export interface SliceResult extends FanOutResult {
  /** Recipients read from the table for a page slice (0 for a post slice). */
  readonly read: number;
  /** The slice must be delivered again (some recipients failed): the queue retries it, then dead-letters it. */
  readonly retry: boolean;
}

/**
 * Delivers one slice in a worker. A page slice reads its page and enqueues the next page's slice before
 * posting, so the chain never waits for the posting; recipients that failed in a page slice are enqueued as
 * a post slice of their own (a retry of the page slice would read and enqueue the next page again). A post
 * slice with failures asks to be retried whole by the queue (`retry`); its recipients already reached get the
 * frame again, which clients drop by `seq`. Recipients left at the deadline are handed back to the queue.
 *
 * @throws whatever the table or the queue throw: the slice is then retried by the queue.
 */
export const deliverSlice = async (
  slice: FanOutSlice,
  ports: FanOutPorts,
  options: FanOutOptions,
  plan: Pick<QueuePlan, 'queue' | 'pages' | 'sliceSize'>,
): Promise<SliceResult> => {
  const delivery: Delivery = { deduplicated: slice.deduplicated };
  const sliced = { ...plan, route: slice.route };
  if (slice.kind === 'post') {
    const report = await fanOut(slice.ids, slice.frame, ports, options, delivery);
    await handOff(report, slice.frame, delivery, sliced);
    return { ...counts(report), read: 0, retry: report.failed > 0 };
  }
  const page = await plan.pages.page(slice.source, slice.cursor, plan.sliceSize);
  if (page.next !== undefined) {
    await plan.queue.enqueue([{ ...slice, cursor: page.next }]);
  }
  const failedIds: string[] = [];
  const report = await fanOut(
    page.ids,
    slice.frame,
    ports,
    {
      ...options,
      onProblem: (problem) => {
        if (problem.stage === 'send') failedIds.push(problem.connectionId);
        options.onProblem?.(problem);
      },
    },
    delivery,
  );
  await handOff({ ...report, remaining: [...report.remaining, ...failedIds] }, slice.frame, delivery, sliced);
  return { ...counts(report), read: page.ids.length, retry: false };
};
