/**
 * Invoking a route's function and reporting each invocation once through `onInvocation`.
 *
 * @module
 */
import type { InvocationLog, InvokeResult } from '../model.js';

/** Runs a function locally; supplied by the runtime (the Lambda pool) or by tests. */
export type InvokeFunction = (functionId: string, event: unknown) => Promise<InvokeResult>;

/** One invocation the gateway is about to make. */
export interface InvocationCall {
  readonly routeKey: string;
  readonly connectionId: string;
  readonly functionId: string;
  readonly event: unknown;
}

/** Describes a result for the log line, e.g. `200`, `rejected 401`, `error TypeError: boom`, `timeout`. */
export type OutcomeDescriber = (result: InvokeResult) => string;

/** The status code of a Lambda proxy result: its numeric `statusCode`, else 200 (AWS assumes success). */
export function statusCodeOf(value: unknown): number {
  if (typeof value === 'object' && value !== null && 'statusCode' in value) {
    const { statusCode } = value as { statusCode: unknown };
    if (typeof statusCode === 'number' && Number.isInteger(statusCode)) return statusCode;
    if (typeof statusCode === 'string' && /^\d{3}$/.test(statusCode)) return Number(statusCode);
  }
  return 200;
}

/** The log outcome of a failed invocation. */
export function failureOutcome(result: Extract<InvokeResult, { ok: false }>): string {
  return result.kind === 'timeout' ? 'timeout' : `error ${result.errorType}: ${result.errorMessage}`;
}

/** Default outcome: the proxy result's status code, or the failure. */
export const describeOutcome: OutcomeDescriber = (result) =>
  result.ok ? String(statusCodeOf(result.value)) : failureOutcome(result);

/** Invokes functions for one API and emits exactly one {@link InvocationLog} per invocation. */
export class InvocationRecorder {
  constructor(
    private readonly apiName: string,
    private readonly invokeFunction: InvokeFunction,
    private readonly onInvocation?: (log: InvocationLog) => void,
  ) {}

  /** Invokes and logs. Never rejects: an invoker that throws counts as a failed invocation. */
  async invoke(call: InvocationCall, describe: OutcomeDescriber = describeOutcome): Promise<InvokeResult> {
    const startedAt = Date.now();
    let result: InvokeResult;
    try {
      result = await this.invokeFunction(call.functionId, call.event);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      result = {
        ok: false,
        kind: 'error',
        errorType: failure.name,
        errorMessage: failure.message,
        durationMs: Date.now() - startedAt,
      };
    }
    try {
      this.onInvocation?.({
        api: this.apiName,
        routeKey: call.routeKey,
        connectionId: call.connectionId,
        functionId: call.functionId,
        durationMs: result.durationMs,
        outcome: describe(result),
      });
    } catch {
      // A failing log sink must not break the connection it is reporting on.
    }
    return result;
  }
}
