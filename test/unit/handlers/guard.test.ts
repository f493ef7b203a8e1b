import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Admission, RateLimit } from '../../../lambdas/core/rate-limit.js';
import { guardMessage, type MessageGuard } from '../../../lambdas/handlers/support/guard.js';
import { bodyOf, messageEvent, stubStackEnv } from '../support/handler-env.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';

const LIMIT: RateLimit = { perSecond: 10, burst: 3, closeAfter: 5 };
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** A guard whose limiter answers `answers` in turn. */
const guardOf = (answers: (Admission | Error)[], closer = new ScriptedMessenger()) => {
  const admit = vi.fn(async () => {
    const next = answers.shift() ?? { allowed: true as const };
    if (next instanceof Error) throw next;
    return next;
  });
  const guard: MessageGuard = { limiter: { admit }, closer, limit: LIMIT, now: () => 42 };
  return { guard, admit, closer };
};

describe('guardMessage', () => {
  it('lets an admitted message through, checking the clock once', async () => {
    const { guard, admit } = guardOf([{ allowed: true }]);

    expect(await guardMessage(guard, 'c1', logger)).toBeUndefined();
    expect(admit).toHaveBeenCalledWith('c1', 42);
  });

  it('answers a refused message RATE_LIMITED with retryAfterMs and keeps the connection open', async () => {
    const { guard, closer } = guardOf([{ allowed: false, retryAfterMs: 120, refusals: 1 }]);

    const response = await guardMessage(guard, 'c1', logger);

    expect(response && bodyOf(response)).toEqual({
      type: 'error',
      code: 'RATE_LIMITED',
      message: 'too many messages; retry in 120 ms',
      retryAfterMs: 120,
    });
    expect(closer.closed).toEqual([]);
  });

  it('closes the connection through the Management API at `closeAfter` refusals', async () => {
    const { guard, closer } = guardOf([{ allowed: false, retryAfterMs: 10, refusals: 5 }]);

    const response = await guardMessage(guard, 'abuser', logger);

    expect(closer.closed).toEqual(['abuser']);
    expect(response && bodyOf(response)).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('still answers RATE_LIMITED when closing fails (the next refusal tries again)', async () => {
    const closer = new ScriptedMessenger();
    closer.close = async () => {
      throw new Error('429');
    };
    const { guard } = guardOf([{ allowed: false, retryAfterMs: 10, refusals: 9 }], closer);

    const response = await guardMessage(guard, 'abuser', logger);

    expect(response && bodyOf(response)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(logger.error).toHaveBeenCalled();
  });

  it('admits the message when the limiter itself fails (the stage throttle still bounds everyone)', async () => {
    const { guard } = guardOf([new Error('DynamoDB throttled')]);

    expect(await guardMessage(guard, 'c1', logger)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith('rate limiter failed; message admitted', expect.anything());
  });
});

describe('message routes check the rate limit first', () => {
  let ping: typeof import('../../../lambdas/handlers/ping.js');
  let unrouted: typeof import('../../../lambdas/handlers/default.js');

  beforeAll(async () => {
    stubStackEnv();
    ping = await import('../../../lambdas/handlers/ping.js');
    unrouted = await import('../../../lambdas/handlers/default.js');
  });

  it('ping answers RATE_LIMITED instead of pong when refused', async () => {
    const { guard } = guardOf([{ allowed: false, retryAfterMs: 5, refusals: 1 }]);

    const response = await ping.makePingHandler({ logger, guard })(messageEvent('ping', { action: 'ping' }));

    expect(bodyOf(response)).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5 });
  });

  it('$default counts garbage against the limit before parsing it', async () => {
    const { guard, admit } = guardOf([{ allowed: false, retryAfterMs: 5, refusals: 1 }]);

    const response = await unrouted.makeDefaultHandler({ logger, guard })(
      messageEvent('$default', 'not json'),
    );

    expect(admit).toHaveBeenCalledTimes(1);
    expect(bodyOf(response)).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
