/**
 * Starts SQS for the served stacks: their queues, the SQS API on the services endpoint, and the pollers of
 * their queue event source mappings. What `startRuntime` calls.
 *
 * @module
 */
import { DEFAULT_CONCURRENCY } from '../lambda/invoker.js';
import type { InvocationLog, InvokeResult, StackModel } from '../model.js';
import type { ServiceHandler } from '../services/server.js';
import { sqsService } from './api.js';
import { type QueuePollerSource, startQueuePollers } from './pollers.js';
import { createQueueRegistry, type QueueRegistry } from './registry.js';

/** Options of {@link startSqs}. */
export interface SqsOptions {
  readonly stacks: readonly StackModel[];
  /** The services endpoint (queue URLs point at it) and how to plug the SQS API into it. */
  readonly services: { readonly endpoint: string; register(handler: ServiceHandler): void };
  readonly region: string;
  /** Invokes a function of a stack (through the runtime's Lambda pools). */
  readonly invoke: (stack: StackModel, functionId: string, event: unknown) => Promise<InvokeResult>;
  /** The runtime's `functionConcurrency`. @default max(2, cores) */
  readonly functionConcurrency?: number;
  /** One line per poller invocation: `routeKey` is `sqs:<queue>`, `connectionId` the message count. */
  readonly onInvocation?: (log: InvocationLog) => void;
  readonly onWarning?: (message: string) => void;
}

/** Started SQS. */
export interface RunningSqs {
  readonly registry: QueueRegistry;
  /** Stops the pollers (waiting for invocations in flight), then ends the API's long polls. */
  stop(): Promise<void>;
}

/** Starts the queues, the API and the pollers (see the module comment). */
export function startSqs(options: SqsOptions): RunningSqs {
  const registry = createQueueRegistry(
    options.stacks.flatMap((stack) => stack.queues ?? []),
    {
      endpoint: options.services.endpoint,
      region: options.region,
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    },
  );
  options.services.register(sqsService(registry));
  const sources: QueuePollerSource[] = options.stacks.flatMap((stack) =>
    (stack.queueEventSourceMappings ?? []).flatMap((mapping) => {
      const model = stack.queues?.find((candidate) => candidate.logicalId === mapping.queueLogicalId);
      const queue = model === undefined ? undefined : registry.byName(model.queueName);
      if (queue === undefined) return [];
      const fn = stack.functions.get(mapping.functionId);
      return [
        {
          mapping,
          queue,
          invoke: (functionId: string, event: unknown) => options.invoke(stack, functionId, event),
          functionConcurrency: Math.min(
            fn?.reservedConcurrency ?? Number.POSITIVE_INFINITY,
            options.functionConcurrency ?? DEFAULT_CONCURRENCY,
          ),
        },
      ];
    }),
  );
  const onInvocation = options.onInvocation;
  const pollers = startQueuePollers({
    sources,
    region: options.region,
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    ...(onInvocation === undefined
      ? {}
      : {
          onInvocation: (log) =>
            onInvocation({
              api: 'sqs',
              routeKey: `sqs:${log.queueName}`,
              connectionId: `${log.messages} message${log.messages === 1 ? '' : 's'}`,
              functionId: log.functionId,
              durationMs: log.durationMs,
              outcome: log.outcome,
            }),
        }),
  });
  return {
    registry,
    async stop() {
      await pollers.stop();
      registry.close();
    },
  };
}
