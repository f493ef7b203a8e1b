/**
 * Every limit and default of the realtime API, in one place, so the protocol, the fan-out and the store
 * agree on them.
 *
 * @module
 */

/**
 * Largest message we post to a connection, in UTF-8 bytes. API Gateway refuses `@connections` payloads over
 * 128 KiB, so we check before we spend a sequence number or a POST.
 */
export const MAX_FRAME_BYTES = 131_072;

/** Longest channel name, in characters. Channel names become part of a DynamoDB key (`CHAN#<name>`). */
export const MAX_CHANNEL_LENGTH = 128;

/** Characters allowed in a channel name: letters, digits and `_ - . : @ /`. */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_\-.:@/]+$/;

/**
 * Number of `ALL#<n>` partitions the broadcast membership is spread over, so a `sendmessage` to everyone
 * never reads a single hot partition.
 */
export const BROADCAST_SHARDS = 4;

/**
 * Lifetime of every item that belongs to a connection, in seconds (2 h 10 min). API Gateway closes every
 * connection after 2 h, so anything older is left over from a lost `$disconnect` and DynamoDB TTL reaps it.
 */
export const CONNECTION_TTL_SECONDS = 7_800;

/** How many `@connections` POSTs one fan-out keeps in flight when `FANOUT_CONCURRENCY` is not set. */
export const DEFAULT_FANOUT_CONCURRENCY = 32;

/**
 * Audiences smaller than this are posted to by the route itself when `FANOUT_INLINE_LIMIT` is not set; larger
 * ones go to the fan-out queue (when the stack has one). At 20 ms a post and 32 in flight, 1,000 recipients take
 * about 0.6 s inline.
 */
export const DEFAULT_FANOUT_INLINE_LIMIT = 1_000;

/**
 * Attempts a fan-out worker makes for one recipient before dead-lettering it, when `FANOUT_MAX_ATTEMPTS` is
 * not set; also the queue's `maxReceiveCount` by default.
 */
export const DEFAULT_FANOUT_MAX_ATTEMPTS = 5;

/** Recipients in one queued slice (one DynamoDB page, one SQS message) when `FANOUT_SLICE_SIZE` is not set. */
export const DEFAULT_FANOUT_SLICE_SIZE = 1_000;

/**
 * Most recipients one slice may hold: 2,000 ids (~40 KB) plus a 128 KiB frame in base64 (~171 KiB) stay under
 * SQS's 256 KiB message limit.
 */
export const MAX_FANOUT_SLICE_SIZE = 2_000;

/**
 * Time kept back from the Lambda's remaining time when a fan-out computes its retry deadline, so the
 * handler can still log and reply before the function times out.
 */
export const DEADLINE_SAFETY_MARGIN_MS = 1_000;

/**
 * Longest one `@connections` POST may take before it fails as a retryable timeout (which may have landed);
 * the fan-out shortens it to the time left before its deadline.
 */
export const POST_TIMEOUT_MS = 5_000;

/** When and how often a throttled or failed call is retried (full-jitter exponential backoff). */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  /** Backoff cap for the first retry; it doubles on each further retry. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this. */
  readonly maxDelayMs: number;
}

/** Retry policy for `@connections` POSTs that answer 429, 5xx or fail on the network. */
export const SEND_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 1_000 };

/** Retry policy for `UnprocessedItems` left by a DynamoDB `BatchWriteItem`. */
export const BATCH_WRITE_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 1_000 };

/** Messages each channel keeps for history and resume when `HISTORY_SIZE` is not set. */
export const DEFAULT_HISTORY_SIZE = 50;

/** Most messages one `history` reply may ask for (`limit`), and the most `HISTORY_SIZE` may be. */
export const MAX_HISTORY_LIMIT = 100;

/** How long a kept message lives (seconds) before DynamoDB TTL removes it: 24 hours. */
export const HISTORY_TTL_SECONDS = 86_400;

/** Size of a leaderboard snapshot (the top N) when `LEADERBOARD_SIZE` is not set. */
export const DEFAULT_LEADERBOARD_SIZE = 10;

/** Most entries a `top` request or `LEADERBOARD_SIZE` may ask for. */
export const MAX_LEADERBOARD_LIMIT = 100;

/** Largest number of points one `score` request may add or take away. */
export const MAX_POINTS = 1_000_000;

/**
 * Largest absolute score a player can reach. The rank key stores `score + MAX_SCORE` as a fixed-width
 * decimal, so every score in range sorts correctly as a string.
 */
export const MAX_SCORE = 999_999_999_999;

/** Player ids and client ids: 1–64 of `A-Z a-z 0-9 _ - . : @`. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_\-.:@]{1,64}$/;

/**
 * User ids (the authorizer's `userId`, a token's `sub`, or the `clientId` while auth is off): 1–128 of
 * `A-Z a-z 0-9 _ . @ : -`.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;

/** Open connections one user may have when `MAX_CONNECTIONS_PER_USER` is not set. */
export const DEFAULT_MAX_CONNECTIONS_PER_USER = 10;

/** The largest `MAX_CONNECTIONS_PER_USER` (0 turns the cap off). */
export const MAX_CONNECTIONS_PER_USER_LIMIT = 10_000;

/** Longest display name given at connect (`?name=`), in characters. */
export const MAX_NAME_LENGTH = 64;

/**
 * Largest frame a client may send, in UTF-8 bytes: API Gateway's own limit on a WebSocket message (128 KB,
 * in frames of at most 32 KB). API Gateway closes the connection on a bigger one before any route runs; the
 * check here keeps a route honest when invoked otherwise (the local runtime, a test, a misconfigured proxy).
 */
export const MAX_INBOUND_BYTES = 131_072;

/** Deepest nesting of objects and arrays a request may have (the envelope counts as one level). */
export const MAX_JSON_DEPTH = 32;

/** Most object keys a request may hold in total, its `data` included. */
export const MAX_JSON_KEYS = 1_000;

/** Longest string `id` a request may carry (it is echoed in the reply). */
export const MAX_ID_LENGTH = 128;

/** Subscriptions one connection may hold at once when `MAX_SUBSCRIPTIONS_PER_CONNECTION` is not set. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 100;
