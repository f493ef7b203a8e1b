/**
 * DynamoDB Streams and their Lambda event source mappings, offline, for the one kind of change the runtime
 * produces by itself: TTL deletions. When the TTL sweeper deletes expired items, each becomes a `REMOVE`
 * record shaped as AWS shapes a TTL deletion (`userIdentity` `{ type: 'Service', principalId:
 * 'dynamodb.amazonaws.com' }`, `Keys` and, per the stream's view type, `OldImage` in DynamoDB JSON); every
 * enabled mapping on the table's stream filters the records, batches them and invokes its function.
 *
 * What is reproduced, and what is not:
 * - Only TTL deletions produce records. Writes by functions or clients (put, update, delete) do not: the
 *   engines have no change feed to read them from.
 * - Filter criteria: a record passes when any of the mapping's patterns matches. Supported in patterns:
 *   nested objects, lists of exact values (string, number, boolean, null; a list field matches when any
 *   element does), `{ "prefix": "…" }` and `{ "exists": true|false }`. A pattern with anything else
 *   (`anything-but`, `numeric`, `suffix`, `wildcard`, …) or that is not JSON is reported once through
 *   `onWarning` and that mapping delivers unfiltered.
 * - Batches of up to `BatchSize` records, in stream order, one batch at a time per mapping (like one shard);
 *   no batching window, no parallelization factor, no bisecting.
 * - A batch whose invocation fails is retried, after `retryDelayMs`, up to `MaximumRetryAttempts` times;
 *   with `ReportBatchItemFailures`, a returned `batchItemFailures` retries from the lowest failed sequence
 *   number (an identifier that is not in the batch fails the whole batch, as in AWS). `-1` (AWS: until the
 *   record expires from the stream, 24 h) is capped at {@link LOCAL_MAX_RETRIES}. Records still failing are
 *   dropped with a warning (AWS would send them to the on-failure destination, if any).
 * - `SizeBytes` is the size of `Keys` and the image in DynamoDB JSON, an approximation of AWS's figure.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { EventSourceMappingModel, InvokeResult, TableModel } from '../model.js';

/** Retries of a mapping whose `MaximumRetryAttempts` is -1 (unlimited in AWS). */
export const LOCAL_MAX_RETRIES = 10;
/** Pause before a failed batch is retried. */
export const DEFAULT_STREAM_RETRY_DELAY_MS = 200;

/** How DynamoDB marks its own (TTL) deletions in a stream record. */
export const TTL_USER_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** An item in DynamoDB JSON. */
export type DynamoItem = Record<string, AttributeValue>;

/** One DynamoDB Streams record as Lambda receives it. */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'REMOVE';
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    /** Epoch seconds. */
    readonly ApproximateCreationDateTime: number;
    readonly Keys: DynamoItem;
    readonly OldImage?: DynamoItem;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
  readonly userIdentity: { readonly type: string; readonly principalId: string };
  readonly eventSourceARN: string;
}

/** What {@link ttlRemoveRecord} needs. */
export interface TtlRemoveInput {
  readonly table: Pick<TableModel, 'keySchema'>;
  readonly oldImage: DynamoItem;
  readonly streamViewType: string;
  readonly streamArn: string;
  readonly region: string;
  readonly sequenceNumber: string;
  /** When the item was deleted, epoch milliseconds. */
  readonly deletedAtMs: number;
}

/** The `REMOVE` record of one item deleted by TTL. */
export function ttlRemoveRecord(input: TtlRemoveInput): StreamRecord {
  const keys: DynamoItem = {};
  for (const { AttributeName } of input.table.keySchema) {
    const value = input.oldImage[AttributeName];
    if (value !== undefined) keys[AttributeName] = value;
  }
  const withOldImage = input.streamViewType === 'OLD_IMAGE' || input.streamViewType === 'NEW_AND_OLD_IMAGES';
  const data = withOldImage ? { Keys: keys, OldImage: input.oldImage } : { Keys: keys };
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName: 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: input.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(input.deletedAtMs / 1000),
      ...data,
      SequenceNumber: input.sequenceNumber,
      SizeBytes: Buffer.byteLength(JSON.stringify(data)),
      StreamViewType: input.streamViewType,
    },
    userIdentity: { ...TTL_USER_IDENTITY },
    eventSourceARN: input.streamArn,
  };
}

/** A compiled filter pattern: `matches` tests a record; `unsupported` says why it cannot be applied. */
export type CompiledPattern =
  | { readonly supported: true; matches(record: unknown): boolean }
  | { readonly supported: false; readonly reason: string };

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first thing in a pattern (object of fields) that this matcher cannot apply, or undefined. */
function unsupportedIn(pattern: JsonObject, path: string): string | undefined {
  for (const [key, rule] of Object.entries(pattern)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (Array.isArray(rule)) {
      for (const condition of rule) {
        if (condition === null || typeof condition !== 'object') continue;
        if (Array.isArray(condition)) return `a nested list at ${at}`;
        const operators = Object.keys(condition);
        const [operator] = operators;
        const operand = operator === undefined ? undefined : condition[operator];
        const valid =
          operators.length === 1 &&
          ((operator === 'prefix' && typeof operand === 'string') ||
            (operator === 'exists' && typeof operand === 'boolean'));
        if (!valid) return `${JSON.stringify(condition)} at ${at}`;
      }
    } else if (isObject(rule)) {
      const inner = unsupportedIn(rule, at);
      if (inner !== undefined) return inner;
    } else {
      return `a bare value at ${at} (a pattern's leaves are lists)`;
    }
  }
  return undefined;
}

function conditionMatches(condition: Json, value: unknown): boolean {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    return value === condition;
  }
  if (typeof condition.prefix === 'string') {
    return typeof value === 'string' && value.startsWith(condition.prefix);
  }
  return false;
}

function objectMatches(pattern: JsonObject, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (Array.isArray(rule)) {
      return rule.some((condition) => {
        if (isObject(condition) && typeof condition.exists === 'boolean') {
          return (value !== undefined) === condition.exists;
        }
        if (value === undefined) return false;
        const candidates: unknown[] = Array.isArray(value) ? value : [value];
        return candidates.some((candidate) => conditionMatches(condition, candidate));
      });
    }
    return isObject(rule) && isObject(value) && objectMatches(rule, value);
  });
}

/** Compiles one `FilterCriteria.Filters[].Pattern` (see the module comment for what is supported). */
export function compileFilterPattern(pattern: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch {
    return { supported: false, reason: `not JSON: ${pattern}` };
  }
  if (!isObject(parsed)) return { supported: false, reason: `not a JSON object: ${pattern}` };
  const json = parsed as JsonObject;
  const unsupported = unsupportedIn(json, '');
  if (unsupported !== undefined) return { supported: false, reason: `unsupported ${unsupported}` };
  return { supported: true, matches: (record) => isObject(record) && objectMatches(json, record) };
}

/** One table's stream and the functions reading it. */
export interface StreamSource {
  readonly table: TableModel;
  /** The stream's ARN, as `Fn::GetAtt [table, StreamArn]` resolves offline. */
  readonly streamArn: string;
  /** Mappings on this table's stream (disabled ones are ignored). */
  readonly mappings: readonly EventSourceMappingModel[];
  /** Invokes a function of the table's stack. */
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeResult>;
}

/** Options of {@link startStreams}. */
export interface StreamsOptions {
  readonly sources: readonly StreamSource[];
  readonly region: string;
  /** @default {@link DEFAULT_STREAM_RETRY_DELAY_MS} */
  readonly retryDelayMs?: number;
  /** Unsupported filter patterns, dropped records. @default discard */
  readonly onWarning?: (message: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Running streams. */
export interface Streams {
  /** The TTL sweeper's callback: items of `table` it deleted. Ignored after `stop()`. */
  onExpired(table: TableModel, oldImages: readonly DynamoItem[]): void;
  /** Resolves when every record received so far was delivered or dropped. */
  idle(): Promise<void>;
  /** Stops delivering (records not yet delivered are dropped); waits for the batch in flight; idempotent. */
  stop(): Promise<void>;
}

/** The outcome of one invocation of a batch. */
type BatchOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryFrom: number; readonly reason: string };

/** One mapping's queue, delivered one batch at a time. */
class MappingQueue {
  private readonly queue: StreamRecord[] = [];
  private readonly filters: CompiledPattern[];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly mapping: EventSourceMappingModel,
    private readonly source: StreamSource,
    private readonly options: { retryDelayMs: number; warn: (message: string) => void },
  ) {
    this.filters = mapping.filterPatterns.map(compileFilterPattern);
    for (const filter of this.filters) {
      if (!filter.supported) {
        options.warn(
          `stream ${source.table.tableName} → ${mapping.functionId}: filter pattern ${filter.reason}; ` +
            'this mapping delivers every record unfiltered',
        );
      }
    }
  }

  private passes(record: StreamRecord): boolean {
    if (this.filters.length === 0 || this.filters.some((filter) => !filter.supported)) return true;
    return this.filters.some((filter) => filter.supported && filter.matches(record));
  }

  push(records: readonly StreamRecord[]): void {
    if (this.stopped) return;
    this.queue.push(...records.filter((record) => this.passes(record)));
    this.kick();
  }

  /** Starts draining unless a drain runs; a drain that ends re-checks, so nothing pushed meanwhile is stuck. */
  private kick(): void {
    if (this.running !== undefined || this.stopped || this.queue.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, Math.max(1, this.mapping.batchSize));
      await this.deliver(batch);
    }
  }

  private async deliver(batch: readonly StreamRecord[]): Promise<void> {
    const limit =
      this.mapping.maximumRetryAttempts < 0 ? LOCAL_MAX_RETRIES : this.mapping.maximumRetryAttempts;
    let pending = batch;
    for (let retries = 0; ; retries += 1) {
      const outcome = await this.invoke(pending);
      if (outcome.ok || this.stopped) return;
      if (retries >= limit) {
        this.options.warn(
          `stream ${this.source.table.tableName} → ${this.mapping.functionId}: dropped ` +
            `${pending.length - outcome.retryFrom} record(s) after ${retries} retries: ${outcome.reason}`,
        );
        return;
      }
      pending = pending.slice(outcome.retryFrom);
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      if (this.stopped) return;
    }
  }

  private async invoke(records: readonly StreamRecord[]): Promise<BatchOutcome> {
    let result: InvokeResult;
    try {
      result = await this.source.invoke(this.mapping.functionId, { Records: records });
    } catch (error) {
      return { ok: false, retryFrom: 0, reason: error instanceof Error ? error.message : String(error) };
    }
    if (!result.ok) {
      return { ok: false, retryFrom: 0, reason: `${result.errorType}: ${result.errorMessage}` };
    }
    if (!this.mapping.reportBatchItemFailures) return { ok: true };
    return partialFailure(result.value, records);
  }
}

/** Reads a `{ batchItemFailures }` response: where to retry from, as Lambda does. */
function partialFailure(value: unknown, records: readonly StreamRecord[]): BatchOutcome {
  const failures = isObject(value) ? value.batchItemFailures : undefined;
  if (failures === undefined || failures === null) return { ok: true };
  if (!Array.isArray(failures)) {
    return { ok: false, retryFrom: 0, reason: 'batchItemFailures is not a list: whole batch failed' };
  }
  if (failures.length === 0) return { ok: true };
  let retryFrom = records.length;
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    const index = records.findIndex((record) => record.dynamodb.SequenceNumber === id);
    if (index < 0) {
      return {
        ok: false,
        retryFrom: 0,
        reason: `unknown itemIdentifier ${JSON.stringify(id)}: whole batch failed`,
      };
    }
    retryFrom = Math.min(retryFrom, index);
  }
  return {
    ok: false,
    retryFrom,
    reason: `batchItemFailures from sequence number ${records[retryFrom]?.dynamodb.SequenceNumber}`,
  };
}

/**
 * Starts the streams of the given tables: {@link Streams.onExpired} turns the TTL sweeper's deletions into
 * records and hands them to every enabled mapping of the table.
 */
export function startStreams(options: StreamsOptions): Streams {
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? DEFAULT_STREAM_RETRY_DELAY_MS;
  const warn = options.onWarning ?? (() => {});
  const streams = new Map<
    TableModel,
    { source: StreamSource; queues: MappingQueue[]; viewType: string; sequence: bigint }
  >();
  for (const source of options.sources) {
    const enabled = source.mappings.filter((mapping) => mapping.enabled);
    if (enabled.length === 0) continue;
    streams.set(source.table, {
      source,
      queues: enabled.map((mapping) => new MappingQueue(mapping, source, { retryDelayMs, warn })),
      viewType: enabled[0]?.streamViewType ?? 'KEYS_ONLY',
      // 21 digits, increasing, as AWS's sequence numbers look.
      sequence: 10n ** 20n,
    });
  }
  let stopped = false;

  return {
    onExpired(table, oldImages) {
      const stream = streams.get(table);
      if (stopped || stream === undefined || oldImages.length === 0) return;
      const deletedAtMs = now();
      const records = oldImages.map((oldImage) => {
        stream.sequence += 1n;
        return ttlRemoveRecord({
          table,
          oldImage,
          streamViewType: stream.viewType,
          streamArn: stream.source.streamArn,
          region: options.region,
          sequenceNumber: stream.sequence.toString(),
          deletedAtMs,
        });
      });
      for (const queue of stream.queues) queue.push(records);
    },
    async idle() {
      await Promise.all(
        [...streams.values()].flatMap((stream) => stream.queues.map((queue) => queue.idle())),
      );
    },
    async stop() {
      stopped = true;
      await Promise.all(
        [...streams.values()].flatMap((stream) => stream.queues.map((queue) => queue.stop())),
      );
    },
  };
}
