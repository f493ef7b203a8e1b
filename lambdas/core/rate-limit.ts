/**
 * The per-connection rate limit: GCRA (the generic cell rate algorithm, a token bucket kept as one number),
 * the port that stores its state, and when a connection that keeps exceeding it is closed.
 *
 * GCRA keeps a single timestamp per connection, the *theoretical arrival time* (TAT): when the bucket would
 * be empty again if the connection stopped now. A message is admitted when admitting it would not push the
 * TAT more than `burst` emission intervals past now; admitting it moves the TAT one interval on. One number
 * means one attribute on the connection's `META` item and one conditional write to move it.
 *
 * @module
 */

/** How fast one connection may send messages. */
export interface RateLimit {
  /** Sustained messages per second. */
  readonly perSecond: number;
  /** Messages that may arrive at once after a quiet spell (the bucket's size). */
  readonly burst: number;
  /**
   * Refusals after which the connection is closed. Counted on the connection's item since its bucket last
   * ran empty, so a client that honours `retryAfterMs` never gets near it.
   */
  readonly closeAfter: number;
}

/**
 * The defaults: far above what the demo or a chat user sends (a person types a few messages a second, a game
 * sends a score every few hundred milliseconds) and above the integration tests' back-to-back bursts (60
 * publishes as fast as the runtime answers), so only floods are limited; and well below the stage's throttle
 * (500/s, burst 1,000, shared by every client), so one connection can hold at most a tenth of it, and is
 * closed within `closeAfter` refusals if it tries for more.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ perSecond: 50, burst: 100, closeAfter: 20 });

/** GCRA's answer for one message. */
export type GcraDecision =
  | { readonly allowed: true /** The TAT to store. */; readonly tat: number }
  | {
      readonly allowed: false /** When the same message would be admitted. */;
      readonly retryAfterMs: number;
    };

/** Milliseconds between two messages at the sustained rate. */
export const emissionIntervalMs = (limit: Pick<RateLimit, 'perSecond'>): number => 1000 / limit.perSecond;

/**
 * Decides one message. `tat` is the stored TAT (undefined for a connection that never sent), `now` the
 * clock, both in epoch milliseconds. Pure: the clock is passed in.
 *
 * @example
 * gcra(undefined, 1_000, { perSecond: 50, burst: 100, closeAfter: 20 }); // → { allowed: true, tat: 1_020 }
 */
export const gcra = (tat: number | undefined, now: number, limit: RateLimit): GcraDecision => {
  const interval = emissionIntervalMs(limit);
  // The bucket may hold `burst` messages: the TAT may run (burst - 1) intervals ahead of now before the
  // next message is admitted.
  const tolerance = interval * (limit.burst - 1);
  const base = Math.max(tat ?? now, now);
  const admitAt = base - tolerance;
  if (admitAt > now) {
    return { allowed: false, retryAfterMs: Math.ceil(admitAt - now) };
  }
  return { allowed: true, tat: base + interval };
};

/** What the limiter decided for one message. */
export type Admission =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly retryAfterMs: number;
      /** Refusals counted on the connection since its bucket last ran empty, this one included. */
      readonly refusals: number;
    };

/** Keeps each connection's bucket; implemented on the connection's `META` item. */
export interface RateLimiter {
  /** Decides one message of `connectionId` at `now` (epoch ms) and records it. */
  admit(connectionId: string, now: number): Promise<Admission>;
}

/** Whether a refused connection has been refused often enough to be closed. */
export const shouldClose = (admission: Admission, limit: Pick<RateLimit, 'closeAfter'>): boolean =>
  !admission.allowed && admission.refusals >= limit.closeAfter;
