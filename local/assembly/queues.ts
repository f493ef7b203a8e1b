/**
 * Reads `AWS::SQS::Queue` resources into `QueueModel`s, with SQS's defaults for what the template leaves out,
 * and the queue name CloudFormation would give a queue without `QueueName` (stable offline:
 * `<stackName>-<logicalId>`, where AWS appends a random suffix).
 *
 * @module
 */
import type { QueueModel, TemplateValue } from '../model.js';
import {
  type CfnResource,
  getAttOf,
  idsOfType,
  isTemplateObject,
  literalBoolean,
  literalNumber,
  literalString,
} from './template.js';

type Resources = Readonly<Record<string, CfnResource>>;

/** SQS's defaults for a queue created without these attributes. */
export const SQS_DEFAULTS = {
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  maximumMessageSize: 262_144,
} as const;

/** SQS limits a queue name to 80 characters, `.fifo` included. */
const MAX_QUEUE_NAME = 80;

/**
 * The name of a queue: its literal `QueueName`, else `<stackName>-<logicalId>` (with `.fifo` for a FIFO queue,
 * as CloudFormation names one), cut to SQS's 80 characters.
 */
export function queueNameOf(stackName: string, logicalId: string, resource: CfnResource | undefined): string {
  const properties = resource?.Properties ?? {};
  const literal = literalString(properties.QueueName);
  if (literal !== undefined) return literal;
  const suffix = literalBoolean(properties.FifoQueue) === true ? '.fifo' : '';
  return `${stackName}-${logicalId}`.slice(0, MAX_QUEUE_NAME - suffix.length) + suffix;
}

/** The queue name an ARN names: `Fn::GetAtt [queue, Arn]` of a queue of the stack, or a literal SQS ARN. */
function queueNameOfArn(
  stackName: string,
  resources: Resources,
  arn: TemplateValue | undefined,
): string | undefined {
  const att = getAttOf(arn);
  if (att !== undefined) {
    const resource = resources[att[0]];
    return att[1] === 'Arn' && resource?.Type === 'AWS::SQS::Queue'
      ? queueNameOf(stackName, att[0], resource)
      : undefined;
  }
  const literal = literalString(arn);
  return literal?.startsWith('arn:') && literal.split(':')[2] === 'sqs' ? literal.split(':')[5] : undefined;
}

/** `RedrivePolicy`, an object or its JSON string (CloudFormation accepts both). */
function redrivePolicyOf(
  stackName: string,
  resources: Resources,
  value: TemplateValue | undefined,
): QueueModel['redrivePolicy'] {
  let policy = value;
  if (typeof value === 'string') {
    try {
      policy = JSON.parse(value) as TemplateValue;
    } catch {
      return undefined;
    }
  }
  if (!isTemplateObject(policy)) return undefined;
  const deadLetterQueueName = queueNameOfArn(stackName, resources, policy.deadLetterTargetArn);
  const maxReceiveCount = literalNumber(policy.maxReceiveCount);
  if (deadLetterQueueName === undefined || maxReceiveCount === undefined) return undefined;
  return { deadLetterQueueName, maxReceiveCount };
}

/** The queues of one stack, in template order. */
export function readQueues(stackName: string, resources: Resources): QueueModel[] {
  return idsOfType(resources, 'AWS::SQS::Queue').map((logicalId) => {
    const resource = resources[logicalId];
    const properties = resource?.Properties ?? {};
    const redrivePolicy = redrivePolicyOf(stackName, resources, properties.RedrivePolicy);
    return {
      logicalId,
      queueName: queueNameOf(stackName, logicalId, resource),
      fifo: literalBoolean(properties.FifoQueue) === true,
      visibilityTimeoutSeconds:
        literalNumber(properties.VisibilityTimeout) ?? SQS_DEFAULTS.visibilityTimeoutSeconds,
      messageRetentionSeconds:
        literalNumber(properties.MessageRetentionPeriod) ?? SQS_DEFAULTS.messageRetentionSeconds,
      delaySeconds: literalNumber(properties.DelaySeconds) ?? SQS_DEFAULTS.delaySeconds,
      receiveMessageWaitTimeSeconds:
        literalNumber(properties.ReceiveMessageWaitTimeSeconds) ?? SQS_DEFAULTS.receiveMessageWaitTimeSeconds,
      maximumMessageSize: literalNumber(properties.MaximumMessageSize) ?? SQS_DEFAULTS.maximumMessageSize,
      ...(redrivePolicy === undefined ? {} : { redrivePolicy }),
    };
  });
}
