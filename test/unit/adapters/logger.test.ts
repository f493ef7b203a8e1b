import { afterEach, describe, expect, it, vi } from 'vitest';

/** Loads a fresh logger module under the current environment and returns the `service` of one log line. */
const serviceOfALine = async (): Promise<unknown> => {
  vi.resetModules();
  const { logger } = await import('../../../lambdas/adapters/logger.js');
  // With POWERTOOLS_DEV set (see vitest.config.ts) Powertools writes through the global console.
  const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
  logger.info('hello');
  expect(info).toHaveBeenCalledOnce();
  const line: unknown = JSON.parse(String(info.mock.calls[0]?.[0]));
  return (line as { service?: unknown }).service;
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('logger', () => {
  it('takes its service name from POWERTOOLS_SERVICE_NAME, which the stack sets', async () => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'chat-prod');

    await expect(serviceOfALine()).resolves.toBe('chat-prod');
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])("falls back to 'realtime-api' when POWERTOOLS_SERVICE_NAME is %s", async (_, value) => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', value);

    await expect(serviceOfALine()).resolves.toBe('realtime-api');
  });
});
