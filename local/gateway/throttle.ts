/**
 * Stage throttling: API Gateway's token bucket, `burstLimit` tokens refilled at `rateLimit` per second, shared
 * by every route of the stage (`$disconnect` excepted: it cannot be refused).
 *
 * @module
 */
import type { WebSocketApiModel } from '../model.js';

/** A token bucket; each allowed request takes one token. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes a token if one is left; `false` means the request is throttled. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The bucket for a stage's default route throttling, or `undefined` when the stage sets none. With only one of
 * the two limits set, the other does not constrain: burst defaults to the rate (at least 1), rate to unlimited.
 */
export function stageThrottle(throttle: WebSocketApiModel['throttle']): TokenBucket | undefined {
  const rate = throttle?.rateLimit;
  const burst = throttle?.burstLimit;
  if (rate === undefined && burst === undefined) return undefined;
  return new TokenBucket(rate ?? Number.POSITIVE_INFINITY, burst ?? Math.max(1, Math.ceil(rate ?? 1)));
}
