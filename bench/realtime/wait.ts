/**
 * The one way the benchmark waits: poll a condition until it holds, a hard deadline passes, or nothing has
 * happened for a while — so a lossy server produces a figure, never a hang.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';

/** Why a wait ended. */
export type WaitOutcome = 'complete' | 'deadline' | 'idle';

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Hard deadline from the start of the wait, in ms. */
  readonly timeoutMs: number;
  /** Ends the wait when `lastActivity()` is older than this, in ms. @default never */
  readonly idleMs?: number;
  /** `performance.now()` of the last progress; needed for `idleMs`. */
  readonly lastActivity?: () => number;
  /** How often the condition is checked, in ms. @default 20 */
  readonly pollMs?: number;
}

/** Resolves with `'complete'` once `done()` is true, else `'idle'` or `'deadline'`; never rejects. */
export function waitUntil(done: () => boolean, options: WaitOptions): Promise<WaitOutcome> {
  const { timeoutMs, idleMs, lastActivity, pollMs = 20 } = options;
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = (): boolean => {
      const now = performance.now();
      let outcome: WaitOutcome | undefined;
      if (done()) outcome = 'complete';
      else if (now >= deadline) outcome = 'deadline';
      else if (idleMs !== undefined && lastActivity !== undefined && now - lastActivity() >= idleMs) {
        outcome = 'idle';
      }
      if (outcome === undefined) return false;
      resolve(outcome);
      return true;
    };
    if (check()) return;
    const timer = setInterval(() => {
      if (check()) clearInterval(timer);
    }, pollMs);
  });
}
