/**
 * Stage throttling: API Gateway's token buckets, `burstLimit` tokens refilled at `rateLimit` per second. The
 * stage's default route throttling (`DefaultRouteSettings`) is one bucket shared by every route without settings
 * of its own; a route with its own (`RouteSettings`) takes from its own bucket instead, so a flood of it leaves
 * the others' budget alone. `$disconnect` is never throttled: it cannot be refused.
 *
 * How API Gateway treats a route setting that gives only one of the two limits is not documented; here, as for
 * the stage default, the missing one does not constrain (burst = the rate, at least 1; rate unlimited).
 *
 * @module
 */
import type { ThrottleModel, WebSocketApiModel } from '../model.js';

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
    const elapsedMs = now - this.refilledAt;
    // An unlimited rate refills the whole burst as soon as any time has passed (0 × Infinity would be NaN).
    const refill = elapsedMs > 0 ? (elapsedMs / 1000) * this.ratePerSecond : 0;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The bucket for one throttle, or `undefined` when it sets neither limit (see the module comment). */
function bucketOf(throttle: ThrottleModel | undefined, now: () => number): TokenBucket | undefined {
  const rate = throttle?.rateLimit;
  const burst = throttle?.burstLimit;
  if (rate === undefined && burst === undefined) return undefined;
  return new TokenBucket(rate ?? Number.POSITIVE_INFINITY, burst ?? Math.max(1, Math.ceil(rate ?? 1)), now);
}

/** The throttling of one stage: the default bucket and one bucket per route with settings of its own. */
export class StageThrottle {
  private constructor(
    private readonly stage: TokenBucket | undefined,
    private readonly routes: ReadonlyMap<string, TokenBucket>,
  ) {}

  /**
   * The throttling of an API's stage, or `undefined` when neither the stage nor any route sets a limit.
   *
   * @example
   * const throttle = StageThrottle.of(api);
   * if (throttle && !throttle.tryTake(route?.routeKey)) reply('Too many requests');
   */
  static of(
    api: Pick<WebSocketApiModel, 'throttle' | 'routeThrottles'>,
    now: () => number = Date.now,
  ): StageThrottle | undefined {
    const routes = new Map<string, TokenBucket>();
    for (const [routeKey, throttle] of Object.entries(api.routeThrottles ?? {})) {
      const bucket = bucketOf(throttle, now);
      if (bucket !== undefined) routes.set(routeKey, bucket);
    }
    const stage = bucketOf(api.throttle, now);
    return stage === undefined && routes.size === 0 ? undefined : new StageThrottle(stage, routes);
  }

  /**
   * Takes a token for one request to `routeKey` (the selected route, or `undefined` when none matched, which
   * counts against the default); `false` means the request is throttled.
   */
  tryTake(routeKey: string | undefined): boolean {
    if (routeKey === '$disconnect') return true;
    const bucket = (routeKey === undefined ? undefined : this.routes.get(routeKey)) ?? this.stage;
    return bucket === undefined || bucket.tryTake();
  }
}
