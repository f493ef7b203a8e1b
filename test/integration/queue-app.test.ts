import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import type { InvocationLog } from '../../local/model.js';
import { type RunningRuntime, startRuntime } from '../../local/runtime.js';
import {
  DEAD_LETTER_QUEUE_NAME,
  MAX_RECEIVE_COUNT,
  VISIBILITY_TIMEOUT_SECONDS,
  WORK_QUEUE_NAME,
} from '../fixtures/queue-app/synth.js';
import { TestClient } from './helpers/ws-client.js';

/** A worker frame: what the fixture's worker posts back per item. */
interface WorkerFrame {
  type: 'worked' | 'failed';
  item: string;
  receiveCount: number;
  batchSize: number;
  eventSource: string;
}

/** Long enough for every retry: one visibility timeout per receive, plus the batching window and slack. */
const RETRIES_MS = (MAX_RECEIVE_COUNT + 1) * (VISIBILITY_TIMEOUT_SECONDS + 1) * 1000 + 5_000;

/**
 * The queued path end to end, offline: a route Lambda sends to SQS with the real SDK (the queue URL from
 * `Ref`), the event source mapping's pollers invoke the worker, which posts back through `@connections`;
 * failures are retried after the visibility timeout and dead-lettered after `maxReceiveCount`.
 */
describe('queue fixture: SQS event source mapping offline', () => {
  let runtime: RunningRuntime;
  let sqs: SQSClient;
  const invocations: InvocationLog[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('queueAssembly'),
      port: 0,
      onInvocation: (log) => invocations.push(log),
    });
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: runtime.services.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    sqs?.destroy();
    await runtime?.close();
  });

  const open = async (): Promise<TestClient> => {
    const api = runtime.apis[0];
    if (api === undefined) throw new Error('no API served');
    return TestClient.open(connectUrl(api));
  };

  const workerFrame = (client: TestClient, match: (frame: WorkerFrame) => boolean, ms = RETRIES_MS) =>
    client
      .next((json) => typeof json.item === 'string' && match(json as unknown as WorkerFrame), ms)
      .then((frame) => frame.json as WorkerFrame);

  const queueUrl = async (name: string): Promise<string> =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';

  it('round-trips a frame through the queue and the worker back to the connection', async () => {
    // Prepare
    const client = await open();
    // Act
    const ack = await client.request({ action: 'enqueue', items: ['hello'] }, 'queued');
    const frame = await workerFrame(client, (f) => f.item === 'hello');
    await client.close();
    // Assess
    expect(runtime.queues).toEqual([
      {
        name: DEAD_LETTER_QUEUE_NAME,
        url: `${runtime.services.endpoint}/000000000000/${DEAD_LETTER_QUEUE_NAME}`,
      },
      { name: WORK_QUEUE_NAME, url: `${runtime.services.endpoint}/000000000000/${WORK_QUEUE_NAME}` },
    ]);
    expect(ack.messageIds).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(frame).toEqual({
      type: 'worked',
      item: 'hello',
      receiveCount: 1,
      batchSize: 1,
      eventSource: 'aws:sqs',
    });
    // The poller logs once the invocation returned, just after the worker's post arrived.
    await vi.waitFor(() =>
      expect(invocations).toContainEqual(
        expect.objectContaining({
          routeKey: `sqs:${WORK_QUEUE_NAME}`,
          connectionId: '1 message',
          outcome: 'ok',
        }),
      ),
    );
  });

  it('retries a failing message with a growing receive count, then dead-letters it', async () => {
    // Prepare
    const client = await open();
    const dlqUrl = await queueUrl(DEAD_LETTER_QUEUE_NAME);
    // Act
    client.send({ action: 'enqueue', items: ['fail-alone'] });
    const attempts: number[] = [];
    for (let attempt = 1; attempt <= MAX_RECEIVE_COUNT; attempt += 1) {
      attempts.push((await workerFrame(client, (f) => f.item === 'fail-alone')).receiveCount);
    }
    const dead = await receiveUntil(sqs, dlqUrl, (body) => body.includes('fail-alone'), RETRIES_MS);
    await client.close();
    // Assess
    expect(attempts).toEqual([1, 2]);
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ item: 'fail-alone' });
    expect(Number(dead.Attributes?.ApproximateReceiveCount)).toBeGreaterThan(MAX_RECEIVE_COUNT);
    expect(dead.Attributes?.DeadLetterQueueSourceArn).toBe(
      `arn:aws:sqs:us-east-1:000000000000:${WORK_QUEUE_NAME}`,
    );
    expect(client.frames.filter((f) => (f.json as WorkerFrame).item === 'fail-alone')).toHaveLength(
      MAX_RECEIVE_COUNT,
    );
  });

  it('redelivers only the failed message of a partially failed batch', async () => {
    // Prepare
    const client = await open();
    const workUrl = await queueUrl(WORK_QUEUE_NAME);
    // Act
    client.send({ action: 'enqueue', items: ['first', 'fail-middle', 'last'] });
    const firstRound = await Promise.all(
      ['first', 'fail-middle', 'last'].map((item) => workerFrame(client, (f) => f.item === item)),
    );
    const retry = await workerFrame(client, (f) => f.item === 'fail-middle');
    // Wait past the retry's visibility timeout: the successes must not come back meanwhile.
    await new Promise((resolve) => setTimeout(resolve, (VISIBILITY_TIMEOUT_SECONDS + 1) * 1000));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: workUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    await client.close();
    // Assess
    expect(firstRound.map((f) => [f.type, f.receiveCount, f.batchSize])).toEqual([
      ['worked', 1, 3],
      ['failed', 1, 3],
      ['worked', 1, 3],
    ]);
    expect(retry).toMatchObject({ type: 'failed', receiveCount: 2, batchSize: 1 });
    const seen = client.frames.map((f) => (f.json as WorkerFrame).item).filter((item) => item !== undefined);
    expect(seen.filter((item) => item === 'first' || item === 'last')).toHaveLength(2);
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});

/** Receives from `queueUrl` until a message whose body matches arrives (long polls of 2 s). */
async function receiveUntil(
  sqs: SQSClient,
  queueUrl: string,
  match: (body: string) => boolean,
  ms: number,
): Promise<Message> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 2,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const found = Messages?.find((message) => match(message.Body ?? ''));
    if (found !== undefined) return found;
  }
  throw new Error(`no matching message in ${queueUrl} within ${ms} ms`);
}
