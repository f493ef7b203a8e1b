import { afterEach, describe, expect, it, vi } from 'vitest';

const importHandler = (name: string): Promise<unknown> => import(`../../../lambdas/handlers/${name}.ts`);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/**
 * Routes that need the Management API: fan-outs and join/leave announcements post to connections, and every
 * message route may close a connection that keeps exceeding its rate limit.
 */
const FAN_OUT_HANDLERS = [
  'disconnect',
  'subscribe',
  'unsubscribe',
  'publish',
  'sendmessage',
  'score',
  'history',
  'top',
  'presence',
  'ping',
  'default',
];
/** Routes on the table that never post to a connection. */
const TABLE_ONLY_HANDLERS = ['connect'];

describe('handler configuration', () => {
  it.each([...TABLE_ONLY_HANDLERS, ...FAN_OUT_HANDLERS])(
    '%s fails at load time, naming TABLE_NAME, when it is not set',
    async (name) => {
      vi.stubEnv('TABLE_NAME', '');
      vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
      vi.stubEnv('AWS_REGION', 'eu-west-1');

      await expect(importHandler(name)).rejects.toThrow('environment variable TABLE_NAME is not set');
    },
  );

  it.each(FAN_OUT_HANDLERS)(
    '%s fails at load time, naming CALLBACK_URL, when it is not set',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', '');
      vi.stubEnv('AWS_REGION', 'eu-west-1');

      await expect(importHandler(name)).rejects.toThrow('environment variable CALLBACK_URL is not set');
    },
  );

  it.each(FAN_OUT_HANDLERS)('%s fails at load time, naming AWS_REGION, when it is not set', async (name) => {
    vi.stubEnv('TABLE_NAME', 'realtime-test');
    vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
    vi.stubEnv('AWS_REGION', '');

    await expect(importHandler(name)).rejects.toThrow('environment variable AWS_REGION is not set');
  });

  it.each(FAN_OUT_HANDLERS)(
    '%s loads without credentials in the environment (the SDK resolves them at its first call)',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
      vi.stubEnv('AWS_REGION', 'eu-west-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);

      await expect(importHandler(name)).resolves.toHaveProperty('handler');
    },
  );

  it.each(TABLE_ONLY_HANDLERS)(
    '%s does not need CALLBACK_URL (it never posts to connections)',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', '');

      await expect(importHandler(name)).resolves.toHaveProperty('handler');
    },
  );

  it.each(['ping', 'default', 'publish'])('%s fails at load time on a bad rate limit', async (name) => {
    vi.stubEnv('TABLE_NAME', 'realtime-test');
    vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('RATE_LIMIT_PER_SECOND', '20');
    vi.stubEnv('RATE_LIMIT_BURST', '0');

    await expect(importHandler(name)).rejects.toThrow('RATE_LIMIT_BURST must be an integer from 1');
  });

  it('rejects a FANOUT_CONCURRENCY that is not a positive integer', async () => {
    vi.stubEnv('TABLE_NAME', 'realtime-test');
    vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('FANOUT_CONCURRENCY', 'lots');

    await expect(importHandler('publish')).rejects.toThrow(
      'FANOUT_CONCURRENCY must be an integer at least 1, got "lots"',
    );
  });

  it.each(['subscribe', 'publish', 'history'])(
    '%s fails at load time on a bad HISTORY_SIZE',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
      vi.stubEnv('AWS_REGION', 'eu-west-1');
      vi.stubEnv('HISTORY_SIZE', '101');

      await expect(importHandler(name)).rejects.toThrow(
        'HISTORY_SIZE must be an integer from 0 to 100, got "101"',
      );
    },
  );

  it.each(['subscribe', 'score', 'top'])('%s fails at load time on a bad LEADERBOARD_SIZE', async (name) => {
    vi.stubEnv('TABLE_NAME', 'realtime-test');
    vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('LEADERBOARD_SIZE', '0');

    await expect(importHandler(name)).rejects.toThrow(
      'LEADERBOARD_SIZE must be an integer from 1 to 100, got "0"',
    );
  });
});
