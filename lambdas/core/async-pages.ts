/**
 * Reading paged results sooner: several page sources at once ({@link mergePages}), and the next page while the
 * current one is being used ({@link readAhead}). A fan-out's latency is mostly the wait for its recipient
 * pages, so these two turn a chain of round trips into overlapping ones.
 *
 * @module
 */

/** Keeps a promise that nobody may end up awaiting from becoming an unhandled rejection. */
const quietly = <T>(promise: Promise<T>): Promise<T> => {
  promise.catch(() => undefined);
  return promise;
};

/** Asks every iterator still open to stop, ignoring how that goes. */
const closeAll = async (iterators: Iterable<AsyncIterator<unknown>>): Promise<void> => {
  await Promise.allSettled([...iterators].map((iterator) => iterator.return?.()));
};

/**
 * Yields the items of every source as they arrive, reading all sources at once with one request in flight
 * per source. The order within a source is kept; the order across sources is arrival order.
 *
 * @throws the first error of any source, after asking the others to stop.
 * @example
 * for await (const page of mergePages([shard(0), shard(1), shard(2), shard(3)])) deliver(page);
 */
export async function* mergePages<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const open = new Map<number, AsyncIterator<T>>();
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const request = (index: number, iterator: AsyncIterator<T>): void => {
    pending.set(index, quietly(iterator.next().then((result) => ({ index, result }))));
  };
  sources.forEach((source, index) => {
    const iterator = source[Symbol.asyncIterator]();
    open.set(index, iterator);
    request(index, iterator);
  });
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      const iterator = open.get(index);
      if (result.done || iterator === undefined) {
        open.delete(index);
        continue;
      }
      request(index, iterator);
      yield result.value;
    }
  } finally {
    // Reached on an error, or when the consumer stops early: stop every source still being read.
    await closeAll(open.values());
  }
}

/**
 * Yields the items of `source`, asking for the next one as soon as the current one is handed out, so the
 * consumer's work on an item overlaps the wait for the next.
 *
 * @throws the source's error when its item is reached.
 * @example
 * for await (const page of readAhead(store.subscribers('lobby'))) await deliver(page);
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = quietly(iterator.next());
  let finished = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        finished = true;
        return;
      }
      next = quietly(iterator.next());
      yield result.value;
    }
  } finally {
    if (!finished) await closeAll([iterator]);
  }
}
