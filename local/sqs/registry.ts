/**
 * The queues of every served stack, by name and by URL: what the SQS API and the pollers look queues up in.
 *
 * @module
 */
import { LOCAL_ACCOUNT_ID } from '../constants.js';
import type { QueueModel } from '../model.js';
import { LocalQueue } from './queue.js';

/** Options of {@link createQueueRegistry}. */
export interface QueueRegistryOptions {
  /** The services endpoint: queue URLs are `<endpoint>/<account>/<name>`. */
  readonly endpoint: string;
  readonly region: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** FIFO queues served as standard ones, duplicate names. @default discard */
  readonly onWarning?: (message: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The local queues. */
export interface QueueRegistry {
  readonly queues: readonly LocalQueue[];
  byName(name: string): LocalQueue | undefined;
  /** The queue a `QueueUrl` names (by its last two path segments, account and name; any host). */
  byUrl(url: string): LocalQueue | undefined;
  /** Ends every long poll. */
  close(): void;
}

/**
 * Creates one queue per model; a queue declared by two stacks under one name is created once (as in one AWS
 * account and region, where the second deploy would fail).
 *
 * @example
 * const registry = createQueueRegistry(stack.queues ?? [], { endpoint: services.endpoint, region: 'us-east-1' });
 * registry.byName('jobs')?.send({ body: 'hello' });
 */
export function createQueueRegistry(
  models: readonly QueueModel[],
  options: QueueRegistryOptions,
): QueueRegistry {
  const account = options.accountId ?? LOCAL_ACCOUNT_ID;
  const warn = options.onWarning ?? (() => {});
  const byName = new Map<string, LocalQueue>();
  for (const model of models) {
    if (byName.has(model.queueName)) {
      warn(`queue ${model.queueName} is declared more than once; the first declaration is served`);
      continue;
    }
    if (model.fifo) {
      warn(
        `queue ${model.queueName} is FIFO: served as a standard queue (no ordering, groups or deduplication)`,
      );
    }
    const redrive = model.redrivePolicy;
    byName.set(
      model.queueName,
      new LocalQueue({
        name: model.queueName,
        arn: `arn:aws:sqs:${options.region}:${account}:${model.queueName}`,
        url: `${options.endpoint.replace(/\/+$/, '')}/${account}/${model.queueName}`,
        fifo: model.fifo,
        visibilityTimeoutSeconds: model.visibilityTimeoutSeconds,
        messageRetentionSeconds: model.messageRetentionSeconds,
        delaySeconds: model.delaySeconds,
        receiveMessageWaitTimeSeconds: model.receiveMessageWaitTimeSeconds,
        maximumMessageSize: model.maximumMessageSize,
        ...(redrive === undefined
          ? {}
          : {
              redrive: {
                deadLetterTargetArn: `arn:aws:sqs:${options.region}:${account}:${redrive.deadLetterQueueName}`,
                maxReceiveCount: redrive.maxReceiveCount,
                deadLetter: () => byName.get(redrive.deadLetterQueueName),
              },
            }),
        ...(options.now === undefined ? {} : { now: options.now }),
      }),
    );
  }
  for (const model of models) {
    const target = model.redrivePolicy?.deadLetterQueueName;
    if (target !== undefined && !byName.has(target)) {
      warn(`queue ${model.queueName}: dead-letter queue ${target} is not in the assembly; no redrive`);
    }
  }
  return {
    queues: [...byName.values()],
    byName: (name) => byName.get(name),
    byUrl(url) {
      let path: string;
      try {
        path = new URL(url).pathname;
      } catch {
        return undefined;
      }
      const [name, owner] = path.split('/').filter(Boolean).reverse();
      return owner === account && name !== undefined ? byName.get(name) : undefined;
    },
    close() {
      for (const queue of byName.values()) queue.close();
    },
  };
}
