import { ListQueuesCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeSlice } from '../../lambdas/adapters/sqs-fan-out-queue.js';
import { SEND_RETRY_POLICY } from '../../lambdas/core/constants.js';
import type { PostSlice } from '../../lambdas/core/ports.js';
import { connectUrl } from '../../local/connect-url.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/** The `data` of a received frame, if it has one. */
const dataOf = (frame: { readonly json?: unknown }): unknown =>
  (frame.json as { readonly data?: unknown } | undefined)?.data;

/**
 * The queued fan-out under `@connections` faults, end to end on the product assembly: the local Management API
 * answers chosen posts with 429 (`managementFault`), every fan-out goes through the queue
 * (`FANOUT_INLINE_LIMIT=0`) and a recipient gets 2 attempts (`FANOUT_MAX_ATTEMPTS=2`). A recipient the fault lets
 * through on the second attempt gets the message exactly once; one it never lets through ends in the
 * dead-letter queue, and nobody else is posted to twice.
 */
describe('queued fan-out under @connections throttling (offline runtime)', () => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  let sqs: SQSClient;
  const sockets: TestClient[] = [];
  /** Posts of frames containing one of these markers are throttled (429) this many times per connection. */
  const throttledPosts = new Map<string, number>();
  const postsSeen = new Map<string, number>();
  const unique = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

  const open = async (): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, { clientId: unique('c') }));
    sockets.push(client);
    return client;
  };

  const subscribers = async (channel: string, count: number): Promise<TestClient[]> => {
    const clients = await Promise.all(Array.from({ length: count }, () => open()));
    for (const client of clients) await client.request({ action: 'subscribe', channel }, 'subscribed');
    return clients;
  };

  const deadLetterQueueUrl = async (): Promise<string> => {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    const url = QueueUrls.find((candidate) => candidate.includes('DeadLetter'));
    if (url === undefined) throw new Error(`no dead-letter queue among ${QueueUrls.join(', ')}`);
    return url;
  };

  /** Slices read from `queueUrl` until one carries `marker` (at most `ms`). */
  const deadLetteredWith = async (queueUrl: string, marker: string, ms: number): Promise<PostSlice[]> => {
    const found: PostSlice[] = [];
    const until = Date.now() + ms;
    while (found.length === 0 && Date.now() < until) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages as Message[]) {
        const slice = decodeSlice(message.Body ?? '');
        if (slice.kind === 'post' && slice.frame.includes(marker)) found.push(slice);
      }
    }
    return found;
  };

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      functionEnvironment: { FANOUT_INLINE_LIMIT: '0', FANOUT_MAX_ATTEMPTS: '2' },
      managementFault: ({ method, connectionId, frame }) => {
        if (method !== 'POST' || frame === undefined) return undefined;
        for (const [marker, times] of throttledPosts) {
          if (!frame.includes(marker)) continue;
          const key = `${marker} ${connectionId}`;
          const seen = (postsSeen.get(key) ?? 0) + 1;
          postsSeen.set(key, seen);
          if (seen <= times) return 429;
        }
        return undefined;
      },
    });
    const first = runtime.apis[0];
    if (first === undefined) throw new Error('the product assembly has no WebSocket API');
    api = first;
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: runtime.services.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    sqs?.destroy();
    await runtime?.close();
  });

  it('re-enqueues the recipients throttled past their retries and delivers to each exactly once', async () => {
    const channel = unique('flaky');
    const marker = unique('flaky-data');
    const audience = await subscribers(channel, 3);
    const publisher = await open();
    // Every post of the first attempt is throttled, the worker's own retries included; the next one gets through.
    throttledPosts.set(marker, SEND_RETRY_POLICY.maxAttempts);
    const publishedAt = Date.now();

    const ack = await publisher.request({ action: 'publish', channel, data: marker }, 'published');
    const received = await Promise.all(
      audience.map((client) =>
        client.next((json) => json.type === 'message' && json.data === marker, 15_000),
      ),
    );
    const deliveredAt = Date.now();
    // Anything posted twice would arrive within this second.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(ack).toMatchObject({ fanout: 'queued' });
    expect(received.map((frame) => frame.json)).toEqual(
      audience.map(() => expect.objectContaining({ channel, seq: 1, data: marker })),
    );
    // Only the second attempt, enqueued with a 2 s delay, could have got through.
    expect(deliveredAt - publishedAt).toBeGreaterThanOrEqual(2_000);
    expect(
      audience.map((client) => client.frames.filter((frame) => dataOf(frame) === marker).length),
    ).toEqual([1, 1, 1]);
    // Per recipient: the worker's 5 throttled attempts, then the one post of the re-enqueued slice.
    const posts = [...postsSeen].filter(([key]) => key.startsWith(`${marker} `)).map(([, count]) => count);
    expect(posts).toEqual(audience.map(() => SEND_RETRY_POLICY.maxAttempts + 1));
  }, 30_000);

  it('moves the recipients that fail every attempt to the dead-letter queue, with the frame', async () => {
    const channel = unique('doomed');
    const marker = unique('doomed-data');
    const audience = await subscribers(channel, 3);
    const publisher = await open();
    throttledPosts.set(marker, Number.POSITIVE_INFINITY);

    await publisher.request({ action: 'publish', channel, data: marker }, 'published');
    const dead = await deadLetteredWith(await deadLetterQueueUrl(), marker, 15_000);

    expect(dead.flatMap((slice) => slice.ids)).toHaveLength(audience.length);
    expect(dead.every((slice) => slice.attempt === 2 && slice.route === 'publish')).toBe(true);
    expect(JSON.parse(dead[0]?.frame ?? '{}')).toMatchObject({ type: 'message', channel, data: marker });
    expect(audience.flatMap((client) => client.frames.filter((frame) => dataOf(frame) === marker))).toEqual(
      [],
    );
  }, 30_000);
});
