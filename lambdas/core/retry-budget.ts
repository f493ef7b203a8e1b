/**
 * One retry budget per invocation, shared by every recipient of its fan-outs: a token bucket like the AWS
 * SDK's retry quota. When the whole account is throttled (`@connections` answers 429 to everyone), each
 * recipient retrying on its own would multiply the load that caused the throttling; with a shared budget the
 * retries stop once it is spent, and each success refills it a little.
 *
 * @module
 */

/** The size and prices of a retry budget. */
export interface RetryBudgetPolicy {
  /** Tokens at the start of an invocation. */
  readonly capacity: number;
  /** Tokens one retry of a throttled or failed post costs. */
  readonly retryCost: number;
  /** Tokens one retry of a timed-out post costs (a timeout is a stronger sign of trouble). */
  readonly timeoutRetryCost: number;
  /** Tokens a successful post gives back, up to `capacity`. */
  readonly successRefund: number;
}

/** The SDK's standard retry quota: 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per success. */
export const SEND_RETRY_BUDGET: RetryBudgetPolicy = {
  capacity: 500,
  retryCost: 5,
  timeoutRetryCost: 10,
  successRefund: 1,
};

/**
 * A retry budget. Not thread-safe, and need not be: one invocation's sends share one event loop.
 *
 * @example
 * const budget = new RetryBudget(SEND_RETRY_BUDGET);
 * if (budget.tryRetry('throttled')) retry(); else giveUp();
 */
export class RetryBudget {
  readonly #policy: RetryBudgetPolicy;
  #tokens: number;

  constructor(policy: RetryBudgetPolicy = SEND_RETRY_BUDGET) {
    if (!(policy.capacity >= 0 && policy.retryCost > 0 && policy.timeoutRetryCost > 0)) {
      throw new RangeError(
        `retry budget needs capacity ≥ 0 and positive costs, got ${JSON.stringify(policy)}`,
      );
    }
    this.#policy = policy;
    this.#tokens = policy.capacity;
  }

  /** Tokens left. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the price of one retry and says whether it may run; `false` leaves the budget as it was. */
  tryRetry(kind: 'throttled' | 'timeout'): boolean {
    const cost = kind === 'timeout' ? this.#policy.timeoutRetryCost : this.#policy.retryCost;
    if (this.#tokens < cost) {
      return false;
    }
    this.#tokens -= cost;
    return true;
  }

  /** Refills the budget a little after a post that succeeded. */
  recordSuccess(): void {
    this.#tokens = Math.min(this.#policy.capacity, this.#tokens + this.#policy.successRefund);
  }
}
