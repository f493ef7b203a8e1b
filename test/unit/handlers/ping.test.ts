import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyOf, fakeContext, messageEvent, stubStackEnv } from '../support/handler-env.js';

let ping: typeof import('../../../lambdas/handlers/ping.js');

beforeAll(async () => {
  // No RATE_LIMIT_PER_SECOND: the route runs without its rate limit (tested in guard.test.ts).
  stubStackEnv();
  ping = await import('../../../lambdas/handlers/ping.js');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('ping handler', () => {
  it('replies pong', async () => {
    const response = await ping.handler(messageEvent('ping', { action: 'ping' }), fakeContext());

    expect(response).toEqual({ statusCode: 200, body: '{"type":"pong"}' });
  });

  it('echoes a string or numeric id', async () => {
    expect(
      bodyOf(await ping.handler(messageEvent('ping', { action: 'ping', id: 'hb-1' }), fakeContext())),
    ).toEqual({
      type: 'pong',
      id: 'hb-1',
    });
    expect(
      bodyOf(await ping.handler(messageEvent('ping', { action: 'ping', id: 12 }), fakeContext())),
    ).toEqual({
      type: 'pong',
      id: 12,
    });
  });

  it('answers an id of the wrong type with INVALID_REQUEST and no id', async () => {
    const response = await ping.handler(
      messageEvent('ping', { action: 'ping', id: { nested: true } }),
      fakeContext(),
    );

    expect(bodyOf(response)).toEqual({
      type: 'error',
      code: 'INVALID_REQUEST',
      message: 'id must be a string or a number',
    });
  });
});
