/**
 * A spy on `ManagementApiClient.prototype.postToConnection` for handler tests: it records every POST, resolves
 * by default, and rejects for the connection ids a test names.
 *
 * @module
 */
import { afterAll, afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { ManagementApiClient } from '../../../lambdas/adapters/management-api-client.js';

/** One `POST @connections/{connectionId}` the handler attempted, answered or not. */
export interface PostCall {
  readonly connectionId: string;
  readonly data: string;
}

/** What a test sees of the spy. */
export interface ManagementApiSpy {
  /** Every POST attempted in this test, rejected ones included, in call order. */
  calls(): readonly PostCall[];
  /** The connection ids of {@link calls}, in call order. */
  postedTo(): string[];
  /**
   * Makes POSTs to `connectionId` reject with `error`: only the next one (`'once'`, stacking in order with
   * other `'once'` failures) or every one not taken by a pending `'once'` (`'always'`, the default).
   */
  failFor(connectionId: string, error: unknown, times?: 'once' | 'always'): void;
}

type PostToConnection = ManagementApiClient['postToConnection'];

/**
 * Installs the spy before each test of the file and checks after each test that it was still in place, so a
 * test can never reach the network or assert "nothing was posted" against a spy that is not there.
 *
 * Call it after any hook registration that restores mocks (`useHandlerTestHooks`, a `beforeEach` with
 * `vi.restoreAllMocks()`): `beforeEach` hooks run in the order they were registered.
 *
 * @example
 * useHandlerTestHooks(NOW, ddb);
 * const managementApi = useManagementApiSpy();
 * managementApi.failFor('ghost', new ManagementApiError('GoneException', 410, 'Gone'));
 */
export function useManagementApiSpy(): ManagementApiSpy {
  let spy: MockInstance<PostToConnection> | undefined;
  let recorded: PostCall[] = [];
  let onceFailures = new Map<string, unknown[]>();
  let alwaysFailures = new Map<string, unknown>();

  const assertInstalled = (): void => {
    // `vi.spyOn` puts the spy itself on the prototype, so identity tells whether it is still ours.
    const installed: unknown = ManagementApiClient.prototype.postToConnection;
    if (spy === undefined || installed !== spy) {
      throw new Error(
        'the ManagementApiClient.postToConnection spy is not installed: was vi.restoreAllMocks() called ' +
          'after useManagementApiSpy() registered its beforeEach?',
      );
    }
  };

  const answer = async (connectionId: string, data: string): Promise<void> => {
    recorded.push({ connectionId, data });
    const pending = onceFailures.get(connectionId);
    if (pending !== undefined && pending.length > 0) {
      throw pending.shift();
    }
    if (alwaysFailures.has(connectionId)) {
      throw alwaysFailures.get(connectionId);
    }
  };

  beforeEach(() => {
    spy?.mockRestore();
    recorded = [];
    onceFailures = new Map();
    alwaysFailures = new Map();
    spy = vi.spyOn(ManagementApiClient.prototype, 'postToConnection').mockImplementation(answer);
  });

  afterEach(() => {
    assertInstalled();
  });

  afterAll(() => {
    spy?.mockRestore();
    spy = undefined;
  });

  return {
    calls: () => {
      assertInstalled();
      return [...recorded];
    },
    postedTo: () => {
      assertInstalled();
      return recorded.map((call) => call.connectionId);
    },
    failFor: (connectionId, error, times = 'always') => {
      assertInstalled();
      if (times === 'once') {
        onceFailures.set(connectionId, [...(onceFailures.get(connectionId) ?? []), error]);
      } else {
        alwaysFailures.set(connectionId, error);
      }
    },
  };
}
