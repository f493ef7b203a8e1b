/**
 * Reads `AWS::Lambda::EventSourceMapping` resources whose source is the stream of a DynamoDB table of the same
 * stack (`EventSourceArn: { Fn::GetAtt: [table, StreamArn] }`) into `EventSourceMappingModel`s, and those whose
 * source is a queue of the stack (`Fn::GetAtt [queue, Arn]`) into `QueueEventSourceMappingModel`s. Mappings on
 * other sources (Kinesis, a literal ARN, a table or queue of another stack) and mappings whose function is not
 * a function of the stack are left out.
 *
 * @module
 */
import type { EventSourceMappingModel, QueueEventSourceMappingModel, TemplateValue } from '../model.js';
import {
  type CfnResource,
  getAttOf,
  idsOfType,
  isTemplateObject,
  literalBoolean,
  literalNumber,
  literalString,
  refOf,
} from './template.js';

type Resources = Readonly<Record<string, CfnResource>>;

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

/** Lambda's default batch size for DynamoDB streams. */
export const DEFAULT_STREAM_BATCH_SIZE = 100;
/** Lambda's default batch size for SQS queues. */
export const DEFAULT_QUEUE_BATCH_SIZE = 10;
/** Lambda's default retry count for streams: retry until the record expires from the stream. */
export const UNLIMITED_RETRIES = -1;

/** The table whose stream an `EventSourceArn` names. */
function sourceTableOf(resources: Resources, arn: TemplateValue | undefined): string | undefined {
  const att = getAttOf(arn);
  if (att === undefined || att[1] !== 'StreamArn') return undefined;
  const type = resources[att[0]]?.Type;
  return type !== undefined && TABLE_TYPES.has(type) ? att[0] : undefined;
}

/**
 * The function a mapping invokes: `FunctionName` is a `Ref` (what CDK writes), a `Fn::GetAtt [fn, Arn]`, or a
 * literal name matching a function's `FunctionName`.
 */
function functionOf(resources: Resources, name: TemplateValue | undefined): string | undefined {
  const isFunction = (id: string) => resources[id]?.Type === 'AWS::Lambda::Function';
  const ref = refOf(name);
  if (ref !== undefined) return isFunction(ref) ? ref : undefined;
  const att = getAttOf(name);
  if (att !== undefined) return att[1] === 'Arn' && isFunction(att[0]) ? att[0] : undefined;
  const literal = literalString(name);
  if (literal === undefined) return undefined;
  return idsOfType(resources, 'AWS::Lambda::Function').find(
    (id) => literalString(resources[id]?.Properties?.FunctionName) === literal,
  );
}

/** The `StreamViewType` of a table's `StreamSpecification`, or undefined when it has no stream. */
function streamViewTypeOf(resource: CfnResource | undefined): string | undefined {
  const specification = resource?.Properties?.StreamSpecification;
  return isTemplateObject(specification) ? literalString(specification.StreamViewType) : undefined;
}

function filterPatternsOf(value: TemplateValue | undefined): string[] {
  const filters = isTemplateObject(value) ? value.Filters : undefined;
  if (!Array.isArray(filters)) return [];
  return filters.flatMap((filter) => {
    const pattern = isTemplateObject(filter) ? literalString(filter.Pattern) : undefined;
    return pattern === undefined ? [] : [pattern];
  });
}

const responseTypesOf = (value: TemplateValue | undefined): TemplateValue[] =>
  Array.isArray(value) ? value : [];

/** The table-stream event source mappings of one stack, in template order. */
export function readEventSourceMappings(resources: Resources): EventSourceMappingModel[] {
  const mappings: EventSourceMappingModel[] = [];
  for (const logicalId of idsOfType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const properties = resources[logicalId]?.Properties ?? {};
    const tableLogicalId = sourceTableOf(resources, properties.EventSourceArn);
    const functionId = functionOf(resources, properties.FunctionName);
    if (tableLogicalId === undefined || functionId === undefined) continue;
    const responseTypes = responseTypesOf(properties.FunctionResponseTypes);
    mappings.push({
      logicalId,
      functionId,
      tableLogicalId,
      // A stream without a view type cannot exist; KEYS_ONLY is the least it can carry.
      streamViewType: streamViewTypeOf(resources[tableLogicalId]) ?? 'KEYS_ONLY',
      batchSize: literalNumber(properties.BatchSize) ?? DEFAULT_STREAM_BATCH_SIZE,
      maximumRetryAttempts: literalNumber(properties.MaximumRetryAttempts) ?? UNLIMITED_RETRIES,
      reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
      filterPatterns: filterPatternsOf(properties.FilterCriteria),
      enabled: literalBoolean(properties.Enabled) ?? true,
    });
  }
  return mappings;
}

/** The queue an `EventSourceArn` names: `Fn::GetAtt [queue, Arn]` of a queue of the stack. */
function sourceQueueOf(resources: Resources, arn: TemplateValue | undefined): string | undefined {
  const att = getAttOf(arn);
  if (att === undefined || att[1] !== 'Arn') return undefined;
  return resources[att[0]]?.Type === 'AWS::SQS::Queue' ? att[0] : undefined;
}

/** The SQS event source mappings of one stack, in template order. */
export function readQueueEventSourceMappings(resources: Resources): QueueEventSourceMappingModel[] {
  const mappings: QueueEventSourceMappingModel[] = [];
  for (const logicalId of idsOfType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const properties = resources[logicalId]?.Properties ?? {};
    const queueLogicalId = sourceQueueOf(resources, properties.EventSourceArn);
    const functionId = functionOf(resources, properties.FunctionName);
    if (queueLogicalId === undefined || functionId === undefined) continue;
    const scaling = properties.ScalingConfig;
    const maximumConcurrency = isTemplateObject(scaling)
      ? literalNumber(scaling.MaximumConcurrency)
      : undefined;
    mappings.push({
      logicalId,
      functionId,
      queueLogicalId,
      batchSize: literalNumber(properties.BatchSize) ?? DEFAULT_QUEUE_BATCH_SIZE,
      maximumBatchingWindowSeconds: literalNumber(properties.MaximumBatchingWindowInSeconds) ?? 0,
      reportBatchItemFailures: responseTypesOf(properties.FunctionResponseTypes).includes(
        'ReportBatchItemFailures',
      ),
      ...(maximumConcurrency === undefined ? {} : { maximumConcurrency }),
      filterPatterns: filterPatternsOf(properties.FilterCriteria),
      enabled: literalBoolean(properties.Enabled) ?? true,
    });
  }
  return mappings;
}
