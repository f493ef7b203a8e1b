/**
 * The cost model of `npm run cost`, as pure functions: a workload and its assumptions → monthly usage of each
 * metered thing → a bill by line.
 *
 * What each route costs follows what the code does (lambdas/adapters/dynamodb-store.ts, lambdas/core/*.ts):
 *
 * - `$connect` — the REQUEST authorizer runs first when auth is on (`authorizerInvocationsPerConnect`: WebSocket
 *   authorizers have no result cache, so once per connect); then one `Query` with `Select: COUNT` on the
 *   `byUser` GSI (the per-user cap: eventually consistent, a few small entries, 0.5 read unit); then one
 *   `BatchWriteItem` of 2 puts (`META` and the broadcast membership). Both carry `connectionId`, so each is also
 *   written to the keys-only `byConnection` GSI, and `META` carries `userId`, so it is also written to `byUser`:
 *   5 write units.
 * - every message route (`subscribe`, `publish`, `ping`) first passes the per-connection rate limit: usually one
 *   conditional `UpdateItem` of `META` (`rateLimitWritesPerMessage`; bursts take a second). It changes no
 *   projected attribute, so no GSI write.
 * - `subscribe` — an `UpdateItem` adding 1 to `META`'s `subscriptionCount` (the per-connection cap: 1 write
 *   unit), then the `PutItem` of the subscription item (it carries `connectionId`): 1 + 1 GSI write unit.
 *   Every subscribe of a session is taken to be to a different channel, so each creates an item.
 * - `publish` — a strongly consistent `GetItem` of the sender's `META` (its author: 1 read unit); one
 *   `UpdateItem` of the channel's `#SEQ` counter (no `connectionId`, so not in the sparse GSI): 1 write unit;
 *   the kept-history `PutItem` of the message (its size in write units) and the `DeleteItem` of the message
 *   `HISTORY_SIZE` places older (1 write unit); then the subscribers `Query` (`begins_with(sk, 'CONN#')`,
 *   `ConsistentRead: true`), page by page; then one `@connections` POST per subscriber, and the `published` ack
 *   to the sender. Presence and leaderboards are not in these workloads.
 * - `$disconnect` — one `Query` on the `byConnection` GSI (always eventually consistent) listing `META`, the
 *   broadcast membership and every subscription, then one `BatchWriteItem` delete per item (deduplicated with
 *   the two known keys): (2 + subscribes) deletes, each also deleting its GSI entries.
 * - `ping` — the rate limit's write, then a `pong` reply.
 *
 * The token secret (auth in `hmac` mode) is billed per month; the authorizer reads it once per container.
 *
 * Fan-out follows lambdas/core/queued-fan-out.ts. An audience smaller than `fanOutInlineLimit` is posted to by
 * the publish function itself. A larger one is queued: the publish function reads one page of up to
 * max(inline limit, slice size) subscribers, sends them as post slices of `fanOutSliceSize` ids plus one page
 * slice (the cursor of the next page) in `SendMessageBatch` calls, and answers. Each slice is one worker
 * invocation (the event source's batch size is 1); a page-slice worker reads its page of `fanOutSliceSize`,
 * sends the next page slice when the page was full (DynamoDB returns a cursor whenever `Limit` is reached, so a
 * full last page is followed by one empty one), then posts. Slice bodies are measured with the adapter's own
 * `encodeSlice`. Each slice is sent, received and deleted on its own (an upper bound: the event source may
 * receive and delete several at once). The event source mapping also long-polls the idle queue around the
 * clock (`sqsIdlePollers` pollers, one 20 s `ReceiveMessage` each at a time): its own line. Workers run at
 * `fanOutMemoryMb`, the routes at `memoryMb`.
 *
 * CloudWatch: every invocation's log lines and the stage's access log lines are ingested and stored; a
 * publish (and a worker) also writes one `fan-out` line and one EMF line (its metrics, billed as logs); the
 * custom metrics, alarms and the dashboard the stack defines are billed per month.
 *
 * @module
 */
import { encodeCursor } from '../../lambdas/adapters/dynamodb-recipient-pages.js';
import {
  encodeSlice,
  SEND_BATCH_LIMIT,
  MAX_MESSAGE_BYTES as SQS_MAX_BATCH_BYTES,
} from '../../lambdas/adapters/sqs-fan-out-queue.js';
import { subscriptionKey } from '../../lambdas/adapters/table-keys.js';
import { GB, PRICES, type PriceKey, type PriceTable, tieredCost, type UnitPrice } from './prices.js';

/** How the subscribers query reads: the code reads strongly consistent, so a fresh subscribe is seen. */
export type ReadConsistency = 'strong' | 'eventual';

/** What the clients do. Rates apply during the active hours of each day. */
export interface Workload {
  /** Connections open at once during the active hours. */
  readonly connections: number;
  /** Hours per day the connections are open (0 to 24). */
  readonly hoursPerDay: number;
  /** Active days in the billed month (a calendar month is taken as 30 days). */
  readonly daysPerMonth: number;
  /** Average session length in minutes (at most 120: API Gateway closes every connection after 2 h). */
  readonly sessionMinutes: number;
  /** `subscribe` requests per session, each to a different channel. */
  readonly subscribesPerConnection: number;
  /** `publish` requests per connection per hour (may be fractional: one publisher among many listeners). */
  readonly messagesPerConnectionPerHour: number;
  /** Subscribers each published message is posted to. */
  readonly subscribersPerMessage: number;
  /** Size of a published message on the wire, in bytes, both in (the request) and out (each post). */
  readonly messageBytes: number;
  /** `ping` requests per connection per hour, for clients that would otherwise idle out after 10 minutes. */
  readonly pingsPerConnectionPerHour: number;
}

/** What the model assumes about the stack and the code. */
export interface Assumptions {
  /** Memory of every route function, in MB. */
  readonly memoryMb: number;
  /** Memory of the fan-out worker, in MB. */
  readonly fanOutMemoryMb: number;
  /** Billed duration of an invocation before any `@connections` post, in ms (its DynamoDB round trips). */
  readonly baseMs: number;
  /** Billed duration added by each `@connections` POST (and each SQS send), in µs. */
  readonly postUs: number;
  /** Consistency of the subscribers query. */
  readonly readConsistency: ReadConsistency;
  /** Size of one subscription item as DynamoDB counts it, in bytes. */
  readonly subscriptionItemBytes: number;
  /** Size of one keys-only `byConnection` index entry, in bytes. */
  readonly indexItemBytes: number;
  /**
   * Audiences smaller than this are posted to inline; this many or more go through SQS (the stack's
   * `fanOutInlineLimit`). `Infinity`: always inline (a stack without the queue).
   */
  readonly fanOutInlineLimit: number;
  /** Recipients per SQS slice, and per page a worker reads (`FANOUT_SLICE_SIZE`). */
  readonly fanOutSliceSize: number;
  /** Log bytes every invocation writes (Lambda's START, END and REPORT lines, 26 bytes of metadata each). */
  readonly logBytesPerInvocation: number;
  /** Extra log bytes of the one `fan-out` line a publish (and an SQS worker) writes. */
  readonly fanoutLogBytes: number;
  /** Bytes of one API Gateway access log line (one per connect, disconnect and inbound message). */
  readonly accessLogBytes: number;
  /** Bytes of the EMF line (the fan-out's metrics) a publish (and an SQS worker) writes, ingested as logs. */
  readonly emfBytesPerFanOut: number;
  /** Custom metrics published through EMF. */
  readonly customMetrics: number;
  /** CloudWatch alarms (standard resolution, one metric each). */
  readonly alarms: number;
  /** CloudWatch dashboards. */
  readonly dashboards: number;
  /**
   * Pollers of the fan-out queue's event source mapping while it is idle: each long-polls (20 s) around the
   * clock, and each poll is a billed `ReceiveMessage`. Lambda keeps 5 and may scale down to 2.
   */
  readonly sqsIdlePollers: number;
  /** Retention of every log group, in days. */
  readonly logRetentionDays: number;
  /** The stage's default route throttle, requests per second. */
  readonly stageRateLimit: number;
  /** The `publish` route's own throttle (the stage's `RouteSettings`), requests per second. */
  readonly publishRateLimit: number;
  /** Timeout of the fan-out routes, in ms. */
  readonly fanOutTimeoutMs: number;
  /** Authorizer invocations per `$connect`: 1 with auth on (no result cache on WebSocket APIs), 0 with it off. */
  readonly authorizerInvocationsPerConnect: number;
  /** Conditional `UpdateItem`s of `META` the per-connection rate limit makes per message (usually 1). */
  readonly rateLimitWritesPerMessage: number;
  /** Secrets Manager secrets the stack keeps (the HMAC token key: 1 in `hmac` mode). */
  readonly secrets: number;
}

/** One full input of the model. */
export interface CostInputs {
  readonly workload: Workload;
  readonly assumptions: Assumptions;
}

/** API Gateway meters WebSocket messages in increments of this many bytes. */
export const API_GATEWAY_MESSAGE_INCREMENT_BYTES = 32 * 1024;
/** SQS bills each 64 KB chunk of a request's payload as one request. */
export const SQS_CHUNK_BYTES = 64 * 1024;
/** One strongly consistent read unit reads up to 4 KB; an eventually consistent read costs half. */
export const READ_UNIT_BYTES = 4 * 1024;
/** One write unit writes up to 1 KB. Every item this table writes is smaller. */
export const WRITE_UNIT_BYTES = 1024;
/** A `Query` stops at 1 MB of items read and returns a page. */
export const QUERY_PAGE_BYTES = 1024 * 1024;
/** DynamoDB's storage overhead per item, in the table and in each index. */
export const ITEM_OVERHEAD_BYTES = 100;
/** The longest `ReceiveMessage` wait (long polling), which the event source mapping uses on an idle queue. */
export const SQS_LONG_POLL_SECONDS = 20;
/** Lambda bills duration in whole milliseconds. */
export const LAMBDA_BILLING_MS = 1;

/** `META` with a typical user agent and IP (well under 1 KB, so 1 write unit). */
export const META_ITEM_BYTES = 220;
/** A broadcast membership item. */
export const BROADCAST_ITEM_BYTES = 70;
/** A `byUser` index entry: `userId`, `pk` and the projected `connectionId`. */
export const USER_INDEX_ITEM_BYTES = 80;
/** The `$connect` count of the user's connections: one eventually consistent page of a few entries. */
export const USER_COUNT_READ_UNITS = 0.5;
/** The `subscriptionCount` update on `META` that every subscribe makes (the per-connection cap). */
export const SUBSCRIPTION_COUNTER_WRITE_UNITS = 1;
/** An ack, error or pong frame (`{"type":"published","channel":…,"seq":…,"delivered":…,"id":…}`). */
export const ACK_FRAME_BYTES = 64;
/** A channel name of typical length, for the cursor a page slice carries. */
export const SAMPLE_CHANNEL = 'chat-room-000001';
/** A kept message beyond its payload: keys, `seq`, `ttl` and the envelope's other fields. */
export const HISTORY_ITEM_OVERHEAD_BYTES = 200;
/** An API Gateway connection id: 16 characters. */
const SAMPLE_CONNECTION_ID = 'L0SM9cOFvHcCIhw=';

/** Default regional Lambda concurrency quota; an average above it would be throttled. */
export const LAMBDA_CONCURRENCY_QUOTA = 1000;

/** Days of a calendar month, for what is stored around the clock (table items, logs). */
export const CALENDAR_MONTH_DAYS = 30;

const SECONDS_PER_HOUR = 3600;
const MINUTES_PER_HOUR = 60;
const MS_PER_S = 1000;
const US_PER_MS = 1000;
const MB_PER_GB = 1024;
/** Below this a product of floats counts as a whole number (so 10 + 100 × 0.3 bills 40 ms, not 41). */
const EPSILON = 1e-9;

/** API Gateway message units of one frame: 32 KB increments, at least 1 (32768 bytes → 1, 32769 → 2). */
export function messageUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / API_GATEWAY_MESSAGE_INCREMENT_BYTES));
}

/** Write units of one put or delete of an item of `bytes`: 1 KB increments, at least 1. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** SQS requests billed for one request carrying `bytes`: 64 KB chunks, at least 1. */
export function sqsRequestUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES));
}

/** Billed ms of one invocation that runs `ms`: rounded up to the whole ms, at least 1. */
export function billedMs(ms: number): number {
  return Math.max(LAMBDA_BILLING_MS, Math.ceil(ms - EPSILON));
}

/**
 * Read units of a `Query` returning `items` items of `itemBytes` each, read through to the last page: each
 * page (≤ 1 MB) is summed and rounded up to 4 KB, and costs at least one unit even when empty; eventually
 * consistent pages cost half. A page cut at exactly 1 MB returns a `LastEvaluatedKey`, so the code asks once
 * more and gets an empty page.
 */
export function queryReadUnits(items: number, itemBytes: number, consistency: ReadConsistency): number {
  const perPage = Math.max(1, Math.floor(QUERY_PAGE_BYTES / itemBytes));
  const fullPages = Math.floor(items / perPage);
  const rest = items - fullPages * perPage;
  const pageUnits = (count: number): number => Math.max(1, Math.ceil((count * itemBytes) / READ_UNIT_BYTES));
  const units = fullPages * pageUnits(perPage) + pageUnits(rest);
  return consistency === 'strong' ? units : units / 2;
}

/** What one publish costs, whichever path its fan-out takes. */
export interface PublishProfile {
  /** `inline`: the publish function posts; `queued`: SQS slices, one worker invocation each. */
  readonly path: 'inline' | 'queued';
  readonly posts: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Worker invocations (0 inline): post slices, then page slices. */
  readonly workerInvocations: number;
  /** Billed ms of the publish invocation, then of all its workers together. */
  readonly publishBilledMs: number;
  readonly workerBilledMs: number;
  /** Unrounded duration of the publish invocation, to compare with the fan-out timeout. */
  readonly publishMs: number;
  readonly sqsRequests: number;
  /** Body of the largest slice, bytes. */
  readonly sliceBytes: number;
}

/** The SQS body of a slice of `ids` recipients (`post`) or of a page cursor (`page`), as the adapter encodes it. */
export function sliceBodyBytes(kind: 'post' | 'page', ids: number, messageBytes: number): number {
  const common = { route: 'publish', frame: 'x'.repeat(messageBytes), deduplicated: true };
  const body =
    kind === 'post'
      ? encodeSlice({ kind, ...common, ids: Array.from({ length: ids }, () => SAMPLE_CONNECTION_ID) })
      : encodeSlice({
          kind,
          ...common,
          source: { channel: SAMPLE_CHANNEL },
          cursor: encodeCursor({ ...subscriptionKey(SAMPLE_CHANNEL, SAMPLE_CONNECTION_ID) }),
        });
  return Buffer.byteLength(body, 'utf8');
}

/**
 * `SendMessageBatch` calls and their billed requests for bodies of these sizes, batched as the adapter does (at
 * most 10 entries and 256 KiB a call); each call is billed one request per 64 KB of its payload.
 */
export function sendBatches(bodies: readonly number[]): {
  readonly calls: number;
  readonly requests: number;
} {
  const totals: number[] = [];
  let entries = 0;
  let bytes = 0;
  for (const size of bodies) {
    if (entries === 0 || entries === SEND_BATCH_LIMIT || bytes + size > SQS_MAX_BATCH_BYTES) {
      if (entries > 0) totals.push(bytes);
      entries = 0;
      bytes = 0;
    }
    entries += 1;
    bytes += size;
  }
  if (entries > 0) totals.push(bytes);
  return { calls: totals.length, requests: totals.reduce((sum, b) => sum + sqsRequestUnits(b), 0) };
}

/** What one publish to the workload's `subscribersPerMessage` recipients costs. */
export function publishProfile(workload: Workload, assumptions: Assumptions): PublishProfile {
  const subscribers = workload.subscribersPerMessage;
  const postMs = assumptions.postUs / US_PER_MS;
  const consistency = assumptions.readConsistency;
  const itemBytes = assumptions.subscriptionItemBytes;
  // The #SEQ counter, the kept message and the trim of the oldest kept one.
  const writeUnitsPerPublish = 1 + writeUnits(workload.messageBytes + HISTORY_ITEM_OVERHEAD_BYTES) + 1;
  // An empty audience is never queued (`FANOUT_INLINE_LIMIT=0` queues every non-empty one).
  if (subscribers === 0 || subscribers < assumptions.fanOutInlineLimit) {
    const publishMs = assumptions.baseMs + subscribers * postMs;
    return {
      path: 'inline',
      posts: subscribers,
      // The author's META (strongly consistent GetItem), then the subscribers' page(s).
      readUnits: 1 + queryReadUnits(subscribers, itemBytes, consistency),
      writeUnits: writeUnitsPerPublish,
      workerInvocations: 0,
      publishBilledMs: billedMs(publishMs),
      workerBilledMs: 0,
      publishMs,
      sqsRequests: 0,
      sliceBytes: 0,
    };
  }
  const size = assumptions.fanOutSliceSize;
  // The publish function reads one page of up to max(inline limit, slice size) and posts none of it.
  const firstLimit = Math.max(assumptions.fanOutInlineLimit, size, 1);
  const firstIds = Math.min(subscribers, firstLimit);
  // A page that reached its `Limit` comes with a cursor, even when nothing follows.
  const chained = subscribers >= firstLimit;
  const rest = chained ? subscribers - firstLimit : 0;
  const firstPostSlices = Math.ceil(firstIds / size);
  const fullPages = Math.floor(rest / size);
  const lastPage = rest - fullPages * size;
  const pageSlices = chained ? fullPages + 1 : 0;

  const postBytes = (ids: number): number => sliceBodyBytes('post', ids, workload.messageBytes);
  const pageBytes = sliceBodyBytes('page', 0, workload.messageBytes);
  const firstBodies = [
    ...Array.from({ length: firstPostSlices }, (_, i) => postBytes(Math.min(size, firstIds - i * size))),
    ...(chained ? [pageBytes] : []),
  ];
  const publishSends = sendBatches(firstBodies);
  // Each message is received (its payload again) and deleted (a receipt handle) once.
  const receiveAndDelete = firstBodies.reduce((sum, b) => sum + sqsRequestUnits(b) + 1, 0);
  // Each full page sends the next page slice, which is then received and deleted.
  const chainRequests = fullPages * (2 * sqsRequestUnits(pageBytes) + 1);

  const workerMs = (posts: number, sends: number): number =>
    billedMs(assumptions.baseMs + (posts + sends) * postMs);
  const postSliceMs = Array.from({ length: firstPostSlices }, (_, i) =>
    workerMs(Math.min(size, firstIds - i * size), 0),
  ).reduce((sum, ms) => sum + ms, 0);
  const pageSliceMs = chained ? fullPages * workerMs(size, 1) + workerMs(lastPage, 0) : 0;

  const pageReads = chained
    ? fullPages * queryReadUnits(size, itemBytes, consistency) +
      queryReadUnits(lastPage, itemBytes, consistency)
    : 0;
  const publishMs = assumptions.baseMs + publishSends.calls * postMs;
  return {
    path: 'queued',
    posts: subscribers,
    readUnits: 1 + queryReadUnits(firstIds, itemBytes, consistency) + pageReads,
    writeUnits: writeUnitsPerPublish,
    workerInvocations: firstPostSlices + pageSlices,
    publishBilledMs: billedMs(publishMs),
    workerBilledMs: postSliceMs + pageSliceMs,
    publishMs,
    sqsRequests: publishSends.requests + receiveAndDelete + chainRequests,
    sliceBytes: Math.max(...firstBodies),
  };
}

/** Invocations per month, by function. */
export interface Invocations {
  readonly authorizer: number;
  readonly connect: number;
  readonly disconnect: number;
  readonly subscribe: number;
  readonly publish: number;
  readonly ping: number;
  readonly fanoutWorker: number;
}

/** Everything metered in one month. */
export interface Usage {
  readonly sessions: number;
  readonly connectionMinutes: number;
  readonly invocations: Invocations;
  /** API Gateway message units (32 KB increments) received from clients. */
  readonly messagesIn: number;
  /** API Gateway message units sent to clients: every `@connections` post and every route reply. */
  readonly messagesOut: number;
  readonly bytesOut: number;
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Average table + index size over the month, GB. */
  readonly storageGb: number;
  /** Average table size (what point-in-time recovery bills), GB. */
  readonly backupGb: number;
  readonly sqsRequests: number;
  /** Empty `ReceiveMessage` long polls of the event source mapping (0 when every fan-out is inline). */
  readonly sqsPollRequests: number;
  readonly logsIngestedGb: number;
  readonly logsStoredGb: number;
  readonly customMetrics: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly secrets: number;
  readonly publish: PublishProfile;
  /** Route requests per second during the active hours (connects and inbound messages). */
  readonly requestsPerSecond: number;
  /** `publish` requests per second during the active hours. */
  readonly publishesPerSecond: number;
  /** Lambda executions in flight on average during the active hours. */
  readonly averageConcurrency: number;
}

/** Monthly usage of a workload. */
export function computeUsage({ workload: w, assumptions: a }: CostInputs): Usage {
  const activeHours = w.hoursPerDay * w.daysPerMonth;
  const connectionMinutes = w.connections * activeHours * MINUTES_PER_HOUR;
  const sessions = connectionMinutes / w.sessionMinutes;
  const subscribes = sessions * w.subscribesPerConnection;
  const publishes = w.connections * activeHours * w.messagesPerConnectionPerHour;
  const pings = w.connections * activeHours * w.pingsPerConnectionPerHour;
  const profile = publishProfile(w, a);
  const invocations: Invocations = {
    authorizer: sessions * a.authorizerInvocationsPerConnect,
    connect: sessions,
    disconnect: sessions,
    subscribe: subscribes,
    publish: publishes,
    ping: pings,
    fanoutWorker: publishes * profile.workerInvocations,
  };
  const lambdaRequests = Object.values(invocations).reduce((sum, n) => sum + n, 0);

  const units = messageUnits(w.messageBytes);
  const replies = subscribes + publishes + pings;
  const posts = publishes * profile.posts;
  const messagesIn = subscribes + pings + publishes * units;
  const messagesOut = replies + posts * units;
  const bytesOut = replies * ACK_FRAME_BYTES + posts * w.messageBytes;

  const baseBilled = billedMs(a.baseMs);
  const routeBilledMs =
    (sessions * (2 + a.authorizerInvocationsPerConnect) + subscribes + pings) * baseBilled +
    publishes * profile.publishBilledMs;
  const workerBilledMs = publishes * profile.workerBilledMs;
  const totalBilledMs = routeBilledMs + workerBilledMs;
  const lambdaGbSeconds =
    (routeBilledMs / MS_PER_S) * (a.memoryMb / MB_PER_GB) +
    (workerBilledMs / MS_PER_S) * (a.fanOutMemoryMb / MB_PER_GB);

  // Items per session: META, broadcast membership and one per subscription; each is put once and deleted
  // once, and each put and delete is also written to the keys-only byConnection GSI (and META's to byUser).
  const itemsPerSession = 2 + w.subscribesPerConnection;
  const index = writeUnits(a.indexItemBytes);
  const userIndex = writeUnits(USER_INDEX_ITEM_BYTES);
  const connectUnits = writeUnits(META_ITEM_BYTES) + writeUnits(BROADCAST_ITEM_BYTES) + 2 * index + userIndex;
  const subscriptionUnits = writeUnits(a.subscriptionItemBytes) + index;
  const disconnectUnits = connectUnits + w.subscribesPerConnection * subscriptionUnits;
  const rateLimitUnits = a.rateLimitWritesPerMessage * writeUnits(META_ITEM_BYTES);
  const totalWriteUnits =
    sessions * (connectUnits + disconnectUnits) +
    subscribes * (subscriptionUnits + SUBSCRIPTION_COUNTER_WRITE_UNITS) +
    publishes * profile.writeUnits +
    (subscribes + publishes + pings) * rateLimitUnits;
  const readUnits =
    sessions * (USER_COUNT_READ_UNITS + queryReadUnits(itemsPerSession, a.indexItemBytes, 'eventual')) +
    publishes * profile.readUnits;

  const tableBytesPerConnection =
    META_ITEM_BYTES +
    BROADCAST_ITEM_BYTES +
    w.subscribesPerConnection * a.subscriptionItemBytes +
    itemsPerSession * ITEM_OVERHEAD_BYTES;
  const indexBytesPerConnection =
    itemsPerSession * (a.indexItemBytes + ITEM_OVERHEAD_BYTES) + USER_INDEX_ITEM_BYTES + ITEM_OVERHEAD_BYTES;
  const averageConnections = (w.connections * w.hoursPerDay * w.daysPerMonth) / (24 * CALENDAR_MONTH_DAYS);
  const backupGb = (averageConnections * tableBytesPerConnection) / GB;
  const storageGb = (averageConnections * (tableBytesPerConnection + indexBytesPerConnection)) / GB;

  const accessLogEvents = sessions * 2 + subscribes + publishes + pings;
  const logBytes =
    lambdaRequests * a.logBytesPerInvocation +
    (invocations.publish + invocations.fanoutWorker) * (a.fanoutLogBytes + a.emfBytesPerFanOut) +
    accessLogEvents * a.accessLogBytes;
  const logsIngestedGb = logBytes / GB;

  const activeSeconds = activeHours * SECONDS_PER_HOUR;
  return {
    sessions,
    connectionMinutes,
    invocations,
    messagesIn,
    messagesOut,
    bytesOut,
    lambdaRequests,
    lambdaGbSeconds,
    writeUnits: totalWriteUnits,
    readUnits,
    storageGb,
    backupGb,
    sqsRequests: publishes * profile.sqsRequests,
    sqsPollRequests:
      a.fanOutInlineLimit === Number.POSITIVE_INFINITY
        ? 0
        : (a.sqsIdlePollers * CALENDAR_MONTH_DAYS * 24 * SECONDS_PER_HOUR) / SQS_LONG_POLL_SECONDS,
    logsIngestedGb,
    // Steady state: each log group holds `logRetentionDays` of ingestion (stored uncompressed: an upper bound).
    logsStoredGb: (logsIngestedGb * a.logRetentionDays) / CALENDAR_MONTH_DAYS,
    customMetrics: a.customMetrics,
    alarms: a.alarms,
    dashboards: a.dashboards,
    secrets: a.secrets,
    publish: profile,
    requestsPerSecond: activeSeconds === 0 ? 0 : (sessions + subscribes + publishes + pings) / activeSeconds,
    publishesPerSecond: activeSeconds === 0 ? 0 : publishes / activeSeconds,
    averageConcurrency: activeSeconds === 0 ? 0 : totalBilledMs / MS_PER_S / activeSeconds,
  };
}

/** The AWS service a bill line belongs to. */
export type Service =
  | 'API Gateway'
  | 'Lambda'
  | 'DynamoDB'
  | 'SQS'
  | 'CloudWatch'
  | 'Secrets Manager'
  | 'Data transfer';

/** One line of the bill. */
export interface BillLine {
  readonly service: Service;
  readonly item: string;
  readonly quantity: number;
  readonly price: UnitPrice;
  readonly usd: number;
}

/** A monthly bill. */
export interface Bill {
  readonly lines: readonly BillLine[];
  readonly totalUsd: number;
}

/** Prices `usage` line by line, in a fixed order (lines that cost nothing are kept, so tables line up). */
export function priceUsage(usage: Usage, prices: PriceTable = PRICES): Bill {
  const line = (service: Service, item: string, quantity: number, key: PriceKey): BillLine => ({
    service,
    item,
    quantity,
    price: prices[key],
    usd: tieredCost(quantity, prices[key]),
  });
  const lines = [
    line('API Gateway', 'connection-minutes', usage.connectionMinutes, 'apiGatewayConnectionMinute'),
    line(
      'API Gateway',
      'messages (in + out, 32 KB units)',
      usage.messagesIn + usage.messagesOut,
      'apiGatewayMessage',
    ),
    line('Data transfer', 'out to the internet', usage.bytesOut / GB, 'dataTransferOut'),
    line('Lambda', 'requests', usage.lambdaRequests, 'lambdaRequest'),
    line('Lambda', 'duration (arm64)', usage.lambdaGbSeconds, 'lambdaArmGbSecond'),
    line('DynamoDB', 'write request units', usage.writeUnits, 'dynamoDbWriteRequestUnit'),
    line('DynamoDB', 'read request units', usage.readUnits, 'dynamoDbReadRequestUnit'),
    line('DynamoDB', 'storage (table + GSI)', usage.storageGb, 'dynamoDbStorageGbMonth'),
    line('DynamoDB', 'point-in-time recovery', usage.backupGb, 'dynamoDbPitrGbMonth'),
    line('SQS', 'requests (64 KB chunks)', usage.sqsRequests, 'sqsStandardRequest'),
    line('SQS', 'idle long polls (event source mapping)', usage.sqsPollRequests, 'sqsStandardRequest'),
    line('CloudWatch', 'logs ingested', usage.logsIngestedGb, 'cloudWatchLogsIngestedGb'),
    line('CloudWatch', 'logs stored', usage.logsStoredGb, 'cloudWatchLogsStoredGbMonth'),
    line('CloudWatch', 'custom metrics (EMF)', usage.customMetrics, 'cloudWatchCustomMetricMonth'),
    line('CloudWatch', 'alarms', usage.alarms, 'cloudWatchAlarmMonth'),
    line('CloudWatch', 'dashboards', usage.dashboards, 'cloudWatchDashboardMonth'),
    line('Secrets Manager', 'token secret', usage.secrets, 'secretsManagerSecretMonth'),
  ];
  return { lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

/** Things the workload would run into, in plain words (empty when none). */
export function warnings(inputs: CostInputs, usage: Usage): string[] {
  const { assumptions: a } = inputs;
  const found: string[] = [];
  if (usage.requestsPerSecond > a.stageRateLimit) {
    found.push(
      `${Math.round(usage.requestsPerSecond)} route requests/s on average exceed the stage's default throttle ` +
        `of ${a.stageRateLimit}/s: raise RealtimeApiProps.throttle, or clients get 429s`,
    );
  }
  if (usage.publishesPerSecond > a.publishRateLimit) {
    found.push(
      `${Math.round(usage.publishesPerSecond)} publishes/s on average exceed the publish route's throttle ` +
        `of ${a.publishRateLimit}/s: raise RealtimeApiProps.routeThrottles.publish, or clients get 429s`,
    );
  }
  if (usage.publish.publishMs > a.fanOutTimeoutMs) {
    found.push(
      `one publish takes ~${Math.round(usage.publish.publishMs)} ms, over the fan-out timeout of ` +
        `${a.fanOutTimeoutMs} ms: lower --fanout-inline-limit so large channels go through SQS`,
    );
  }
  if (usage.averageConcurrency > LAMBDA_CONCURRENCY_QUOTA) {
    found.push(
      `~${Math.round(usage.averageConcurrency)} Lambda executions in flight on average, over the default ` +
        `regional quota of ${LAMBDA_CONCURRENCY_QUOTA}`,
    );
  }
  return found;
}

/** The whole model: usage, bill and warnings. */
export function estimate(
  inputs: CostInputs,
  prices: PriceTable = PRICES,
): { readonly usage: Usage; readonly bill: Bill; readonly warnings: readonly string[] } {
  const usage = computeUsage(inputs);
  return { usage, bill: priceUsage(usage, prices), warnings: warnings(inputs, usage) };
}
