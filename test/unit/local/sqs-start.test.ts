import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionModel, InvocationLog, QueueModel, StackModel } from '../../../local/model.js';
import type { ServiceHandler } from '../../../local/services/server.js';
import { type RunningSqs, startSqs } from '../../../local/sqs/start.js';

const queue = (logicalId: string, queueName: string, extra: Partial<QueueModel> = {}): QueueModel => ({
  logicalId,
  queueName,
  fifo: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  maximumMessageSize: 262_144,
  ...extra,
});

const worker: FunctionModel = {
  logicalId: 'WorkerFn',
  functionName: 'App-WorkerFn',
  codeDir: '/nowhere',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 3,
  memoryMB: 128,
  reservedConcurrency: 1,
  environment: {},
};

const stack: StackModel = {
  stackName: 'App',
  apis: [],
  functions: new Map([[worker.logicalId, worker]]),
  tables: [],
  resources: {},
  queues: [queue('Work', 'work'), queue('Orders', 'App-Orders.fifo', { fifo: true })],
  queueEventSourceMappings: [
    {
      logicalId: 'Mapping',
      functionId: 'WorkerFn',
      queueLogicalId: 'Work',
      batchSize: 1,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      maximumConcurrency: 5,
      enabled: true,
    },
  ],
};

let sqs: RunningSqs | undefined;
afterEach(async () => {
  await sqs?.stop();
  sqs = undefined;
});

describe('startSqs', () => {
  it('registers the SQS API, warns about FIFO queues and polls the mapped queue within the function pool', async () => {
    // Prepare
    const handlers: ServiceHandler[] = [];
    const warnings: string[] = [];
    const logs: InvocationLog[] = [];
    let running = 0;
    let most = 0;
    sqs = startSqs({
      stacks: [stack],
      services: { endpoint: 'http://127.0.0.1:9', register: (handler) => handlers.push(handler) },
      region: 'us-east-1',
      invoke: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        return { ok: true, value: null, durationMs: 20 };
      },
      onInvocation: (log) => logs.push(log),
      onWarning: (message) => warnings.push(message),
    });
    const work = sqs.registry.byUrl('http://127.0.0.1:9/000000000000/work');
    // Act
    for (const body of ['a', 'b', 'c']) work?.send({ body });
    await until(() => logs.length === 3);
    // Assess
    expect(handlers.map((handler) => handler.name)).toEqual(['SQS']);
    expect(warnings).toEqual([expect.stringMatching(/App-Orders\.fifo is FIFO: served as a standard queue/)]);
    expect(most).toBe(1); // reservedConcurrency 1 caps MaximumConcurrency 5
    expect(logs[0]).toMatchObject({
      api: 'sqs',
      routeKey: 'sqs:work',
      connectionId: '1 message',
      outcome: 'ok',
    });
    expect(work?.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
