import { describe, expect, it } from 'vitest';
import { mergePages, readAhead } from '../../../lambdas/core/async-pages.js';

/** A deferred value a test resolves by hand. */
interface Gate<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

const gate = <T>(): Gate<T> => {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/**
 * A page source whose pages are released by the test (`release(i)`), recording which pages were asked for and
 * whether it was closed early.
 */
const controlledSource = (name: string, count: number) => {
  const gates = Array.from({ length: count }, () => gate<void>());
  const state = { requested: 0, closed: false };
  async function* pages(): AsyncGenerator<string> {
    try {
      for (let i = 0; i < count; i += 1) {
        state.requested = i + 1;
        await gates[i]?.promise;
        yield `${name}${i}`;
      }
    } finally {
      state.closed = true;
    }
  }
  return {
    pages: pages(),
    state,
    release: (i: number) => gates[i]?.resolve(),
    fail: (i: number, error: unknown) => gates[i]?.reject(error),
  };
};

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const collect = async <T>(source: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
};

describe('mergePages', () => {
  it('yields every item of every source, keeping each source in order', async () => {
    const items = await collect(mergePages([from(['a0', 'a1', 'a2']), from([]), from(['b0', 'b1'])]));

    expect([...items].sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    expect(items.filter((i) => i.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(items.filter((i) => i.startsWith('b'))).toEqual(['b0', 'b1']);
  });

  it('reads all sources at once and yields in arrival order', async () => {
    const slow = controlledSource('slow', 1);
    const fast = controlledSource('fast', 1);
    const merged = mergePages([slow.pages, fast.pages]);

    const first = merged.next();
    await flush();
    // Both sources were asked for their first page before either answered.
    expect(slow.state.requested).toBe(1);
    expect(fast.state.requested).toBe(1);
    fast.release(0);
    expect(await first).toEqual({ done: false, value: 'fast0' });
    slow.release(0);
    expect(await merged.next()).toEqual({ done: false, value: 'slow0' });
    expect(await merged.next()).toEqual({ done: true, value: undefined });
  });

  it('rethrows the first error and closes the other sources', async () => {
    const failing = controlledSource('f', 2);
    const other = controlledSource('o', 3);
    const merged = mergePages([failing.pages, other.pages]);
    failing.release(0);
    other.release(0);

    const seen: string[] = [];
    const outcome = (async () => {
      for await (const item of merged) {
        seen.push(item);
        if (seen.length === 2) failing.fail(1, new Error('throttled'));
      }
    })();
    // The other source's pending page is released so its generator can run its finally block.
    setTimeout(() => other.release(1), 5);

    await expect(outcome).rejects.toThrow('throttled');
    expect([...seen].sort()).toEqual(['f0', 'o0']);
    expect(other.state.closed).toBe(true);
  });

  it('closes every source when the consumer stops early', async () => {
    const a = controlledSource('a', 3);
    const b = controlledSource('b', 3);
    a.release(0);
    b.release(0);
    b.release(1);
    a.release(1);

    for await (const item of mergePages([a.pages, b.pages])) {
      expect(item).toMatch(/^[ab]0$/);
      break;
    }

    expect(a.state.closed).toBe(true);
    expect(b.state.closed).toBe(true);
  });
});

describe('readAhead', () => {
  it('yields every item in order', async () => {
    expect(await collect(readAhead(from([1, 2, 3])))).toEqual([1, 2, 3]);
  });

  it('asks for the next item as soon as the current one is handed out', async () => {
    const source = controlledSource('p', 3);
    const ahead = readAhead(source.pages);
    source.release(0);

    expect(await ahead.next()).toEqual({ done: false, value: 'p0' });
    await flush();
    // The consumer has not asked for p1 yet, but it is already being read.
    expect(source.state.requested).toBe(2);

    source.release(1);
    source.release(2);
    expect(await collect(ahead)).toEqual(['p1', 'p2']);
  });

  it('surfaces an error of the source when its item is reached, not before', async () => {
    const source = controlledSource('p', 2);
    const ahead = readAhead(source.pages);
    source.release(0);
    expect(await ahead.next()).toEqual({ done: false, value: 'p0' });
    source.fail(1, new Error('boom'));
    await flush();

    await expect(ahead.next()).rejects.toThrow('boom');
  });

  it('closes the source when the consumer stops early', async () => {
    const source = controlledSource('p', 3);
    source.release(0);
    source.release(1);

    for await (const item of readAhead(source.pages)) {
      expect(item).toBe('p0');
      break;
    }

    expect(source.state.closed).toBe(true);
  });
});
