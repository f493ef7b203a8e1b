/**
 * Runs a core fan-out from a handler: sets its deadline from the Lambda's remaining time, logs one line with
 * its counts and records them as metrics (`adapters/metrics.ts`, dimension `route`). Every post that fails for
 * good, on any fan-out, counts in `ConnectionsPostFailed`.
 *
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { readFanOutConcurrency } from '../../adapters/env.js';
import { awsRequestIdOf } from '../../adapters/management-messenger.js';
import { type FanOutRoute, recordFanOut, recordPostFailed } from '../../adapters/metrics.js';
import {
  DEADLINE_SAFETY_MARGIN_MS,
  POST_TIMEOUT_MS,
  type RetryPolicy,
  SEND_RETRY_POLICY,
} from '../../core/constants.js';
import type { FanOutOptions, FanOutProblem, FanOutResult } from '../../core/fan-out.js';
import { RetryBudget, type RetryBudgetPolicy, SEND_RETRY_BUDGET } from '../../core/retry-budget.js';
import type { RouteLogger } from './route-response.js';

/** Everything about a fan-out except its deadline, which is per invocation. */
export interface FanOutSettings {
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  /** The size of the retry budget each invocation gets (shared by all its recipients). */
  readonly retryBudget: RetryBudgetPolicy;
  /** Longest one post may take (shortened to the time left). */
  readonly postTimeoutMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/**
 * Production settings: `FANOUT_CONCURRENCY` (default 32), the SDK-like retry budget, 5 s per post, real time,
 * real sleep, `Math.random` jitter.
 */
export const defaultFanOutSettings = (): FanOutSettings => ({
  concurrency: readFanOutConcurrency(),
  retry: SEND_RETRY_POLICY,
  retryBudget: SEND_RETRY_BUDGET,
  postTimeoutMs: POST_TIMEOUT_MS,
  now: () => Date.now(),
  sleep: (ms) => sleepFor(ms).then(() => undefined),
  random: Math.random,
});

/** A problem as logged; a failed post carries API Gateway's `x-amzn-RequestId` as `awsRequestId`. */
const describeProblem = (problem: FanOutProblem): Record<string, unknown> => {
  const awsRequestId = awsRequestIdOf(problem.error);
  return {
    connectionId: problem.connectionId,
    stage: problem.stage,
    ...(problem.reason === undefined ? {} : { reason: problem.reason }),
    error:
      problem.error instanceof Error
        ? `${problem.error.name}: ${problem.error.message}`
        : String(problem.error),
    ...(awsRequestId === undefined ? {} : { awsRequestId }),
  };
};

/**
 * Fan-out options for one invocation: the deadline is the Lambda's remaining time minus
 * {@link DEADLINE_SAFETY_MARGIN_MS}; one fresh retry budget for the whole invocation; each problem is logged at
 * debug level (and handed to `onProblem`), and each failed post counts in `ConnectionsPostFailed`.
 */
export const fanOutOptions = (
  logger: RouteLogger,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  settings: FanOutSettings,
  onProblem?: (problem: FanOutProblem) => void,
): FanOutOptions => ({
  concurrency: settings.concurrency,
  retry: settings.retry,
  now: settings.now,
  sleep: settings.sleep,
  random: settings.random,
  postTimeoutMs: settings.postTimeoutMs,
  retryBudget: new RetryBudget(settings.retryBudget),
  deadline: settings.now() + context.getRemainingTimeInMillis() - DEADLINE_SAFETY_MARGIN_MS,
  onProblem: (problem) => {
    if (problem.stage === 'send') {
      recordPostFailed();
    }
    onProblem?.(problem);
    logger.debug('fan-out problem', describeProblem(problem));
  },
});

/**
 * Calls `run` with fan-out options whose deadline is the Lambda's remaining time minus
 * {@link DEADLINE_SAFETY_MARGIN_MS}, then logs one `fan-out` line with `delivered`, `gone`, `failed`,
 * `retried`, `handedOff` and the first problem, if any, and records the counts and the duration as metrics
 * of `fields.route`. Each problem is also logged at debug level.
 */
export const loggedFanOut = async <
  R extends FanOutResult & {
    readonly queued?: boolean;
    readonly requeued?: number;
    readonly deadLettered?: number;
  },
>(
  logger: RouteLogger,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  settings: FanOutSettings,
  fields: { readonly route: FanOutRoute } & Record<string, unknown>,
  run: (options: FanOutOptions) => Promise<R>,
): Promise<R> => {
  let firstProblem: FanOutProblem | undefined;
  const options = fanOutOptions(logger, context, settings, (problem) => {
    firstProblem ??= problem;
  });
  const startedAt = settings.now();
  const result = await run(options);
  recordFanOut(fields.route, {
    delivered: result.delivered,
    gone: result.gone,
    failed: result.failed,
    retried: result.retried,
    durationMs: Math.max(0, settings.now() - startedAt),
  });
  logger.info('fan-out', {
    ...fields,
    delivered: result.delivered,
    gone: result.gone,
    failed: result.failed,
    retried: result.retried,
    handedOff: result.handedOff,
    ...(result.queued === true ? { fanout: 'queued' } : {}),
    ...(result.requeued === undefined ? {} : { requeued: result.requeued }),
    ...(result.deadLettered === undefined ? {} : { deadLettered: result.deadLettered }),
    ...(firstProblem === undefined ? {} : { firstProblem: describeProblem(firstProblem) }),
  });
  return result;
};
