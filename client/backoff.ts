/**
 * Reconnect delays: exponential growth with full jitter, so that thousands of clients dropped by the same
 * event (a deploy, a network blip) do not come back in lockstep and throttle the `$connect` route.
 *
 * @module
 */

/** How reconnect delays grow. */
export interface BackoffPolicy {
  /** Cap of the first delay, in ms. */
  readonly initialDelayMs: number;
  /** No delay is longer than this, in ms. */
  readonly maxDelayMs: number;
  /** Factor by which the cap grows on each attempt. */
  readonly multiplier: number;
}

/**
 * Counts consecutive failed attempts and draws the delay before the next one:
 * `random() * min(maxDelayMs, initialDelayMs * multiplier ^ attempt)`, where `attempt` is 0 for the first.
 *
 * @example
 * const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2 }, Math.random);
 * setTimeout(reconnect, backoff.next()); // somewhere in [0, 500)
 * setTimeout(reconnect, backoff.next()); // somewhere in [0, 1000)
 * backoff.reset();                       // after a connection that stayed up
 */
export class Backoff {
  readonly #policy: BackoffPolicy;
  readonly #random: () => number;
  #attempt = 0;

  /**
   * @param policy - initial delay, cap and growth factor.
   * @param random - a source of numbers in [0, 1), injected so tests are deterministic.
   */
  constructor(policy: BackoffPolicy, random: () => number) {
    this.#policy = policy;
    this.#random = random;
  }

  /** The upper bound of the next delay. */
  get cap(): number {
    const { initialDelayMs, maxDelayMs, multiplier } = this.#policy;
    return Math.min(maxDelayMs, initialDelayMs * multiplier ** this.#attempt);
  }

  /** Draws the delay before the next attempt and counts the attempt. */
  next(): number {
    const cap = this.cap;
    // Stop growing once the cap is reached (or is 0), so the power never overflows to Infinity.
    if (cap > 0 && cap < this.#policy.maxDelayMs) {
      this.#attempt += 1;
    }
    return this.#random() * cap;
  }

  /** Starts over from `initialDelayMs`. */
  reset(): void {
    this.#attempt = 0;
  }
}
