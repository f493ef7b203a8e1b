import { afterEach, describe, expect, it, vi } from 'vitest';

const importHandler = (name: string): Promise<unknown> => import(`../../../lambdas/handlers/${name}.ts`);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('handler configuration', () => {
  it.each(['connect', 'disconnect', 'subscribe', 'unsubscribe', 'publish', 'sendmessage'])(
    '%s fails at load time, naming TABLE_NAME, when it is not set',
    async (name) => {
      vi.stubEnv('TABLE_NAME', '');
      vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');

      await expect(importHandler(name)).rejects.toThrow('environment variable TABLE_NAME is not set');
    },
  );

  it.each(['publish', 'sendmessage'])(
    '%s fails at load time, naming CALLBACK_URL, when it is not set',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', '');
      vi.stubEnv('AWS_REGION', 'eu-west-1');

      await expect(importHandler(name)).rejects.toThrow('environment variable CALLBACK_URL is not set');
    },
  );

  it.each(['publish', 'sendmessage'])(
    '%s fails at load time, naming AWS_REGION, when it is not set',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
      vi.stubEnv('AWS_REGION', '');

      await expect(importHandler(name)).rejects.toThrow('environment variable AWS_REGION is not set');
    },
  );

  it.each(['publish', 'sendmessage'])(
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

  it.each(['connect', 'disconnect', 'subscribe', 'unsubscribe'])(
    '%s does not need CALLBACK_URL (it never posts to connections)',
    async (name) => {
      vi.stubEnv('TABLE_NAME', 'realtime-test');
      vi.stubEnv('CALLBACK_URL', '');

      await expect(importHandler(name)).resolves.toHaveProperty('handler');
    },
  );

  it.each(['ping', 'default'])('%s loads with neither TABLE_NAME nor CALLBACK_URL', async (name) => {
    vi.stubEnv('TABLE_NAME', '');
    vi.stubEnv('CALLBACK_URL', '');

    await expect(importHandler(name)).resolves.toHaveProperty('handler');
  });

  it('rejects a FANOUT_CONCURRENCY that is not a positive integer', async () => {
    vi.stubEnv('TABLE_NAME', 'realtime-test');
    vi.stubEnv('CALLBACK_URL', 'http://127.0.0.1:9/prod');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('FANOUT_CONCURRENCY', 'lots');

    await expect(importHandler('publish')).rejects.toThrow('FANOUT_CONCURRENCY must be a positive integer');
  });
});
