/**
 * Builders for the failure results of an invocation, with the error types Lambda itself reports.
 *
 * @module
 */
import type { InvokeResult } from '../model.js';

/** A failed invocation result. */
export type FailedInvocation = Extract<InvokeResult, { ok: false }>;

/** A failure result of kind `error`. */
export const errorResult = (errorType: string, errorMessage: string, durationMs = 0): FailedInvocation => ({
  ok: false,
  kind: 'error',
  errorType,
  errorMessage,
  durationMs,
});

/** Lambda's timeout result: `Sandbox.Timedout`, "Task timed out after 3.00 seconds". */
export const timeoutResult = (timeoutSeconds: number, durationMs: number): FailedInvocation => ({
  ok: false,
  kind: 'timeout',
  errorType: 'Sandbox.Timedout',
  errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  durationMs,
});

/** The `errorType` / `errorMessage` of a thrown value on the runtime side. */
export function describeError(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message };
  return { errorType: 'Error', errorMessage: String(error) };
}
