/**
 * Lambda's SQS event source mappings, offline: for each enabled mapping, pollers long-poll the queue, gather a
 * batch (`BatchSize`, `MaximumBatchingWindowInSeconds`), invoke the function with an event shaped as Lambda
 * shapes it, and delete what succeeded:
 *
 * - a successful invocation deletes the whole batch, unless the mapping has `ReportBatchItemFailures` and the
 *   function returned `batchItemFailures`: then every message but those is deleted. An empty or null list, a
 *   null or empty response count as full success; a list that is not a list, or an item whose `itemIdentifier`
 *   is missing, empty or not a message of the batch, fails the whole batch (Lambda's documented rules);
 * - a failed invocation (thrown error, timeout, crash) deletes nothing: the batch reappears after the queue's
 *   visibility timeout, its receive count grows, and the queue's redrive policy moves it to the dead-letter queue
 *   after `maxReceiveCount` receives;
 * - at most `ScalingConfig.MaximumConcurrency` invocations at once per mapping, and never more than the
 *   function's pool runs (so no batch waits in the pool while its visibility timeout runs);
 * - filter criteria: a message passes when any pattern matches its record (with `body` parsed when it is
 *   JSON); one that passes none is deleted without an invocation, as Lambda does for SQS. Patterns support
 *   what the stream filters support (`local/dynamodb/streams.ts`); a pattern with anything else is reported
 *   once and its mapping delivers unfiltered.
 *
 * Not reproduced: Lambda's scaling of pollers with the backlog (a fixed number poll here) and the batch payload
 * limit of 6 MB.
 *
 * @module
 */
import { type CompiledPattern, compileFilterPattern } from '../dynamodb/streams.js';
import type { InvokeResult, QueueEventSourceMappingModel } from '../model.js';
import type { MessageAttributes } from './message.js';
import type { LocalQueue, ReceivedMessage } from './queue.js';

/** Most messages one receive returns. */
const RECEIVE_LIMIT = 10;
/** Each poller's long poll (SQS's maximum, what Lambda uses). */
const LONG_POLL_MS = 20_000;

/** One record of an SQS event, as Lambda builds it. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<
    Record<
      string,
      {
        readonly stringValue?: string;
        readonly binaryValue?: string;
        readonly stringListValues: readonly string[];
        readonly binaryListValues: readonly string[];
        readonly dataType: string;
      }
    >
  >;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** Lambda's spelling of message attributes: camel case, with the (unused) list members. */
function lambdaAttributes(attributes: MessageAttributes): SqsRecord['messageAttributes'] {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType,
      },
    ]),
  );
}

/** The record Lambda hands a function for one received message. */
export function sqsRecord(message: ReceivedMessage, queueArn: string, region: string): SqsRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes: lambdaAttributes(message.messageAttributes),
    ...(message.md5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** What to delete after an invocation: every message, those not reported failed, or none. */
export type BatchVerdict =
  | { readonly kind: 'all' }
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  | { readonly kind: 'none'; readonly reason: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an invocation result as Lambda reads it for an SQS mapping (see the module comment). */
export function batchVerdict(
  result: InvokeResult,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!result.ok) return { kind: 'none', reason: `${result.errorType}: ${result.errorMessage}` };
  if (!reportBatchItemFailures) return { kind: 'all' };
  const { value } = result;
  if (value === null || value === undefined) return { kind: 'all' };
  if (!isObject(value)) return { kind: 'none', reason: 'the response is not a batch response object' };
  const failures = value.batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'all' };
  if (!Array.isArray(failures)) return { kind: 'none', reason: 'batchItemFailures is not a list' };
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || !messageIds.includes(id)) {
      return { kind: 'none', reason: `invalid itemIdentifier ${JSON.stringify(id)}: whole batch failed` };
    }
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'all' } : { kind: 'partial', failed };
}

/** One mapping to poll for. */
export interface QueuePollerSource {
  readonly mapping: QueueEventSourceMappingModel;
  readonly queue: LocalQueue;
  /** Invokes a function of the mapping's stack. */
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeResult>;
  /** Most concurrent invocations (the function's pool size); `MaximumConcurrency` may lower it. */
  readonly functionConcurrency: number;
}

/** One line per invocation, for the runtime's log. */
export interface QueueInvocationLog {
  readonly queueName: string;
  readonly functionId: string;
  readonly messages: number;
  readonly durationMs: number;
  /** `ok`, `ok, 2 of 5 failed`, `error Error: boom`, `timeout`, `invalid response: …`. */
  readonly outcome: string;
}

/** Options of {@link startQueuePollers}. */
export interface QueuePollersOptions {
  readonly sources: readonly QueuePollerSource[];
  readonly region: string;
  readonly onInvocation?: (log: QueueInvocationLog) => void;
  /** Unsupported filter patterns. @default discard */
  readonly onWarning?: (message: string) => void;
}

/** The test a record must pass to be delivered: any supported pattern matches, or there is nothing to apply. */
function filterOf(
  source: QueuePollerSource,
  warn: (message: string) => void,
): (record: SqsRecord) => boolean {
  const filters: CompiledPattern[] = (source.mapping.filterPatterns ?? []).map(compileFilterPattern);
  for (const filter of filters) {
    if (!filter.supported) {
      warn(
        `queue ${source.queue.config.name} → ${source.mapping.functionId}: filter pattern ${filter.reason}; ` +
          'this mapping delivers every message unfiltered',
      );
    }
  }
  if (filters.length === 0 || filters.some((filter) => !filter.supported)) return () => true;
  return (record) => {
    let body: unknown = record.body;
    try {
      body = JSON.parse(record.body);
    } catch {
      // Not JSON: patterns match the body as a string.
    }
    const view = { ...record, body };
    return filters.some((filter) => filter.supported && filter.matches(view));
  };
}

/** Running pollers. */
export interface QueuePollers {
  /** Ends the long polls and waits for the invocations in flight (their successes are still deleted); idempotent. */
  stop(): Promise<void>;
}

function outcomeOf(result: InvokeResult, verdict: BatchVerdict, size: number): string {
  if (!result.ok)
    return result.kind === 'timeout' ? 'timeout' : `error ${result.errorType}: ${result.errorMessage}`;
  if (verdict.kind === 'none') return `failed: ${verdict.reason}`;
  return verdict.kind === 'partial' ? `ok, ${verdict.failed.size} of ${size} failed` : 'ok';
}

/** Gathers one batch: a long poll for the first messages, then more until full or the window closes. */
async function gather(source: QueuePollerSource, signal: AbortSignal): Promise<ReceivedMessage[]> {
  const { maximumBatchingWindowSeconds } = source.mapping;
  const batchSize = Math.max(1, source.mapping.batchSize);
  const batch = await source.queue.receive({
    maxNumberOfMessages: Math.min(RECEIVE_LIMIT, batchSize),
    waitTimeMs: LONG_POLL_MS,
    signal,
  });
  if (batch.length === 0 || maximumBatchingWindowSeconds <= 0) return batch;
  const closesAt = Date.now() + maximumBatchingWindowSeconds * 1000;
  while (batch.length < batchSize && !signal.aborted) {
    const left = closesAt - Date.now();
    if (left <= 0) break;
    const more = await source.queue.receive({
      maxNumberOfMessages: Math.min(RECEIVE_LIMIT, batchSize - batch.length),
      waitTimeMs: left,
      signal,
    });
    for (const message of more) {
      // A window longer than the visibility timeout can receive a message twice: keep the newer receipt.
      const index = batch.findIndex((held) => held.messageId === message.messageId);
      if (index < 0) batch.push(message);
      else batch[index] = message;
    }
  }
  return batch;
}

async function deliver(
  source: QueuePollerSource,
  received: readonly ReceivedMessage[],
  passes: (record: SqsRecord) => boolean,
  options: QueuePollersOptions,
): Promise<void> {
  const { queue, mapping } = source;
  const batch: ReceivedMessage[] = [];
  const records: SqsRecord[] = [];
  for (const message of received) {
    const record = sqsRecord(message, queue.config.arn, options.region);
    if (passes(record)) {
      batch.push(message);
      records.push(record);
    } else {
      queue.delete(message.receiptHandle); // Lambda deletes the SQS messages its filters drop
    }
  }
  if (batch.length === 0) return;
  const event = { Records: records };
  const started = performance.now();
  let result: InvokeResult;
  try {
    result = await source.invoke(mapping.functionId, event);
  } catch (error) {
    result = {
      ok: false,
      kind: 'error',
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
      durationMs: performance.now() - started,
    };
  }
  const verdict = batchVerdict(
    result,
    batch.map((message) => message.messageId),
    mapping.reportBatchItemFailures,
  );
  for (const message of batch) {
    const keep =
      verdict.kind === 'none' || (verdict.kind === 'partial' && verdict.failed.has(message.messageId));
    // Our own handle cannot be invalid; a handle made stale by a re-receive deletes nothing, as in SQS.
    if (!keep) queue.delete(message.receiptHandle);
  }
  options.onInvocation?.({
    queueName: queue.config.name,
    functionId: mapping.functionId,
    messages: batch.length,
    durationMs: result.durationMs,
    outcome: outcomeOf(result, verdict, batch.length),
  });
}

/**
 * Starts polling for every enabled mapping.
 *
 * @example
 * const pollers = startQueuePollers({ sources, region: 'us-east-1' });
 * await pollers.stop();
 */
export function startQueuePollers(options: QueuePollersOptions): QueuePollers {
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];
  for (const source of options.sources) {
    if (!source.mapping.enabled) continue;
    const concurrency = Math.max(
      1,
      Math.min(source.mapping.maximumConcurrency ?? Number.POSITIVE_INFINITY, source.functionConcurrency),
    );
    const passes = filterOf(source, options.onWarning ?? (() => {}));
    for (let i = 0; i < concurrency; i += 1) {
      loops.push(
        (async () => {
          while (!stopping.signal.aborted && !source.queue.isClosed) {
            const batch = await gather(source, stopping.signal);
            if (batch.length > 0) await deliver(source, batch, passes, options);
          }
        })(),
      );
    }
  }
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await Promise.all(loops);
      })();
      return stopped;
    },
  };
}
