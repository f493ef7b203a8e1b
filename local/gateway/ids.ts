/**
 * Identifiers shaped like API Gateway's, so code that logs, stores or parses them sees realistic values.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** Bounded retries before the rare fallback below; each try succeeds with probability ≈ 0.62. */
const MAX_TRIES = 32;

/**
 * A connection id / request id / message id in API Gateway's format: 11 random bytes in base64, i.e. 16
 * characters ending in `=` (e.g. `L0SM9cOFvHcCIhw=`). Real ids never contain `+` or `/` (they would need
 * escaping in the `@connections/{id}` path), so those draws are rejected.
 */
export function newApiGatewayId(): string {
  for (let i = 0; i < MAX_TRIES; i += 1) {
    const id = randomBytes(11).toString('base64');
    if (!/[+/]/.test(id)) return id;
  }
  return randomBytes(11).toString('base64').replace(/[+/]/g, 'A');
}

/** An X-Ray style trace header value, as API Gateway adds in `X-Amzn-Trace-Id`. */
export function newTraceId(nowMs: number): string {
  const epochSeconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epochSeconds}-${randomBytes(12).toString('hex')}`;
}
