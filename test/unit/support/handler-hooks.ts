import { afterAll, beforeEach, vi } from 'vitest';

/** Anything with `reset()`: the `aws-sdk-client-mock` mocks a handler test uses. */
interface Resettable {
  reset(): void;
}

/**
 * Registers the hooks every handler test file shares: before each test the SDK mocks are reset, spies restored
 * and `Date` frozen at `now`; after the file the stubbed environment and real timers come back.
 */
export function useHandlerTestHooks(now: number, ...mocks: Resettable[]): void {
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });
  beforeEach(() => {
    for (const mock of mocks) mock.reset();
    vi.restoreAllMocks();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
  });
}
