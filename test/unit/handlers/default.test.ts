import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyOf, defaultEvent, fakeContext, messageEvent, stubStackEnv } from '../support/handler-env.js';

let handlerModule: typeof import('../../../lambdas/handlers/default.js');

beforeAll(async () => {
  // No RATE_LIMIT_PER_SECOND: the route runs without its rate limit (tested in guard.test.ts).
  stubStackEnv();
  handlerModule = await import('../../../lambdas/handlers/default.js');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('$default handler', () => {
  it('answers a frame that is not JSON with INVALID_JSON', async () => {
    const response = await handlerModule.handler(defaultEvent(), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'INVALID_JSON',
      message: 'message is not valid JSON',
    });
  });

  it('answers a JSON array with INVALID_JSON', async () => {
    const response = await handlerModule.handler(messageEvent('$default', '[1,2]'), fakeContext());

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'INVALID_JSON' });
  });

  it('answers a frame without action with UNKNOWN_ACTION, echoing the id', async () => {
    const response = await handlerModule.handler(
      messageEvent('$default', { channel: 'lobby', id: 'r1' }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: 'action is required',
      id: 'r1',
    });
  });

  it('answers an unknown or non-string action with UNKNOWN_ACTION', async () => {
    const unknown = await handlerModule.handler(
      messageEvent('$default', { action: 'dance', id: 3 }),
      fakeContext(),
    );
    const numeric = await handlerModule.handler(messageEvent('$default', { action: 5 }), fakeContext());

    expect(bodyOf(unknown)).toMatchObject({ code: 'UNKNOWN_ACTION', id: 3 });
    expect(bodyOf(numeric)).toMatchObject({ code: 'UNKNOWN_ACTION', message: 'action must be a string' });
  });

  it('answers a known action whose route is missing with UNKNOWN_ACTION', async () => {
    const response = await handlerModule.handler(
      messageEvent('$default', { action: 'ping', id: 1 }),
      fakeContext(),
    );

    expect(bodyOf(response)).toMatchObject({ type: 'error', code: 'UNKNOWN_ACTION', id: 1 });
  });
});
