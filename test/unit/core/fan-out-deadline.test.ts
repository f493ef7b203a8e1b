import { describe, expect, it } from 'vitest';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import { type FanOutProblem, fanOut, idsAsPages } from '../../../lambdas/core/fan-out.js';
import type { Messenger, SendOptions } from '../../../lambdas/core/ports.js';
import { RetryBudget } from '../../../lambdas/core/retry-budget.js';
import { type TestFanOutOptions, testFanOutOptions } from '../support/fan-out-options.js';
import { InMemoryStore, pagesOf } from '../support/in-memory-store.js';

const ids = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** A messenger on the fake clock: each post takes `postMs` of it and may be scripted to fail. */
class ClockedMessenger implements Messenger {
  async close(): Promise<'closed'> {
    return 'closed';
  }

  readonly posts: { connectionId: string; timeoutMs: number | undefined }[] = [];

  constructor(
    private readonly options: TestFanOutOptions,
    private readonly postMs: number,
    private readonly answer: (connectionId: string, attempt: number) => 'sent' | Error = () => 'sent',
  ) {}

  async send(connectionId: string, _frame: string, send: SendOptions = {}): Promise<'sent' | 'gone'> {
    this.posts.push({ connectionId, timeoutMs: send.timeoutMs });
    const attempt = this.posts.filter((p) => p.connectionId === connectionId).length;
    await Promise.resolve();
    this.options.clock += this.postMs;
    const answer = this.answer(connectionId, attempt);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

describe('fanOut at its deadline', () => {
  it('stops taking recipients at the deadline and returns the ones not attempted', async () => {
    // Prepare: 10 recipients, one at a time, 100 ms each, 450 ms to the deadline.
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = new ClockedMessenger(options, 100);
    const deadline = options.clock + 450;

    // Act
    const result = await fanOut(
      pagesOf([ids('a', 10)]),
      'f',
      { store: new InMemoryStore(), messenger },
      { ...options, deadline },
    );

    // Assess: 5 posts started before the deadline (at 0, 100, …, 400 ms); the other 5 come back untouched.
    expect(messenger.posts.map((p) => p.connectionId)).toEqual(ids('a', 5));
    expect(result).toMatchObject({ delivered: 5, failed: 0, handedOff: 5 });
    expect(result.remaining).toEqual(['a5', 'a6', 'a7', 'a8', 'a9']);
  });

  it('says pages were left unread when the deadline came before the last page', async () => {
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = new ClockedMessenger(options, 100);

    const result = await fanOut(
      pagesOf([ids('a', 2), ids('b', 2)]),
      'f',
      { store: new InMemoryStore(), messenger },
      { ...options, deadline: options.clock + 150 },
    );

    expect(result.delivered).toBe(2);
    expect(result.unreadPages).toBe(true);
  });

  it('caps each post timeout by the time left to the deadline', async () => {
    const options = testFanOutOptions({ concurrency: 1, postTimeoutMs: 5_000 });
    const messenger = new ClockedMessenger(options, 1_000);

    await fanOut(
      idsAsPages(ids('a', 3)),
      'f',
      { store: new InMemoryStore(), messenger },
      { ...options, deadline: options.clock + 6_500 },
    );

    expect(messenger.posts.map((p) => p.timeoutMs)).toEqual([5_000, 5_000, 4_500]);
  });
});

describe('fanOut retry budget', () => {
  it('shares one retry budget across recipients, so an account-wide 429 is not multiplied', async () => {
    // Prepare: every post is throttled; the budget pays for 3 retries in all.
    const options = testFanOutOptions({
      concurrency: 2,
      retryBudget: new RetryBudget({ capacity: 15, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 }),
    });
    const messenger = new ClockedMessenger(options, 10, (id) => new RetryableSendError(id));

    // Act
    const result = await fanOut(
      idsAsPages(ids('a', 10)),
      'f',
      { store: new InMemoryStore(), messenger },
      options,
    );

    // Assess: 10 first attempts + 3 retries, not 10 × 5 attempts.
    expect(messenger.posts).toHaveLength(13);
    expect(result.failed).toBe(10);
  });

  it('gives back a little of the budget for each success', () => {
    const budget = new RetryBudget({ capacity: 10, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 });

    expect(budget.tryRetry('throttled')).toBe(true);
    expect(budget.tryRetry('throttled')).toBe(true);
    expect(budget.tryRetry('throttled')).toBe(false);
    for (let i = 0; i < 20; i += 1) budget.recordSuccess();

    expect(budget.tokens).toBe(10);
    expect(budget.tryRetry('timeout')).toBe(true);
    expect(budget.tryRetry('throttled')).toBe(false);
  });
});

describe('fanOut after a post that may have landed', () => {
  const timedOut = (id: string, attempt: number): 'sent' | Error =>
    attempt === 1 ? new RetryableSendError(id, { mayHaveLanded: true }) : 'sent';

  it('does not retry a timed-out post when the frame carries no seq', async () => {
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = new ClockedMessenger(options, 10, timedOut);
    const problems: FanOutProblem[] = [];

    const result = await fanOut(
      idsAsPages(['a']),
      'raw frame',
      { store: new InMemoryStore(), messenger },
      { ...options, onProblem: (p) => problems.push(p) },
    );

    expect(messenger.posts).toHaveLength(1);
    expect(result.failed).toBe(1);
    expect(problems[0]?.reason).toBe('may have landed; the frame has no seq');
  });

  it('retries a timed-out post when clients deduplicate the frame by seq', async () => {
    const options = testFanOutOptions({ concurrency: 1 });
    const messenger = new ClockedMessenger(options, 10, timedOut);

    const result = await fanOut(
      idsAsPages(['a']),
      '{"seq":1}',
      { store: new InMemoryStore(), messenger },
      options,
      { deduplicated: true },
    );

    expect(messenger.posts).toHaveLength(2);
    expect(result.delivered).toBe(1);
  });
});
