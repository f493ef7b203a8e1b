import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findLocalPublisher } from '../../bin/publish-cli.js';
import { connectUrl } from '../../local/connect-url.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * Users and servers end to end on the product assembly: `sendtouser` reaches every connection of one user
 * and no one else, the publisher function invoked through the runtime's Lambda API (the real
 * `@aws-sdk/client-lambda`) reaches channel subscribers and a user, and `$connect` refuses a user's
 * connection beyond `MAX_CONNECTIONS_PER_USER` (default 10). Auth is on in the product, so each client
 * connects with a token whose `sub` (its user) is the `clientId` it also gives at connect.
 */
describe('users and server-side publish over the offline runtime', () => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  let stateDir: string;
  let lambda: LambdaClient;
  let publisherName: string;
  const sockets: TestClient[] = [];
  const unique = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

  const open = async (clientId: string): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, { clientId }));
    sockets.push(client);
    return client;
  };

  const invokePublisher = async (payload: unknown): Promise<Record<string, unknown>> => {
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: publisherName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    expect(result.FunctionError).toBeUndefined();
    return JSON.parse(new TextDecoder().decode(result.Payload)) as Record<string, unknown>;
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'users-integration-'));
    runtime = await startRuntime({ cdkOut: inject('productAssembly'), port: 0, stateDir });
    const first = runtime.apis[0];
    if (first === undefined) throw new Error('the product assembly has no WebSocket API');
    api = first;
    lambda = new LambdaClient({
      endpoint: runtime.services.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 1,
    });
    publisherName = await findLocalPublisher(lambda);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    lambda?.destroy();
    await runtime?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('sendtouser: both connections of the user get the direct frame, a third connection does not', async () => {
    // Prepare: alice twice (same clientId), bob once
    const alice = unique('alice');
    const bob = unique('bob');
    const phone = await open(alice);
    const laptop = await open(alice);
    const sender = await open(bob);

    // Act
    sender.send({ action: 'sendtouser', user: alice, data: { text: 'hi alice' }, id: 1 });

    // Assess
    const ack = await sender.next((f) => f.type === 'sent' || f.type === 'error');
    expect(ack.json).toEqual({ type: 'sent', user: alice, delivered: 2, id: 1 });
    for (const socket of [phone, laptop]) {
      const frame = await socket.next((f) => f.type === 'direct');
      expect(frame.json).toMatchObject({ type: 'direct', fromUser: bob, data: { text: 'hi alice' } });
      expect(typeof (frame.json as { from: unknown }).from).toBe('string');
    }
    // The sender is not alice: it gets its ack and nothing else.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sender.frames.filter((f) => (f.json as { type?: unknown }).type === 'direct')).toEqual([]);
  });

  it('sendtouser: a malformed user is answered with INVALID_REQUEST', async () => {
    const sender = await open(unique('carol'));

    sender.send({ action: 'sendtouser', user: 'not a user', data: 1, id: 'x' });

    const reply = await sender.next((f) => f.type === 'error');
    expect(reply.json).toMatchObject({ code: 'INVALID_REQUEST', id: 'x' });
  });

  it('publisher: a channel publish through the Lambda API reaches the subscribers, with the next seq', async () => {
    const channel = unique('news');
    const reader = await open(unique('reader'));
    reader.send({ action: 'subscribe', channel, id: 1 });
    await reader.next((f) => f.type === 'subscribed');

    const result = await invokePublisher({ channel, data: { hello: 'world' } });

    expect(result).toEqual({ seq: 1, delivered: 1, gone: 0, failed: 0 });
    const message = await reader.next((f) => f.type === 'message');
    expect(message.json).toMatchObject({
      type: 'message',
      channel,
      data: { hello: 'world' },
      from: 'server',
      author: { clientId: 'server' },
      seq: 1,
    });
  });

  it('publisher: a user target reaches every connection of the user', async () => {
    const dave = unique('dave');
    const one = await open(dave);
    const two = await open(dave);

    const result = await invokePublisher({ user: dave, data: 'from the backend' });

    expect(result).toEqual({ delivered: 2, gone: 0, failed: 0 });
    for (const socket of [one, two]) {
      const frame = await socket.next((f) => f.type === 'direct');
      expect(frame.json).toMatchObject({ type: 'direct', from: 'server', data: 'from the backend' });
      expect(frame.json).not.toHaveProperty('fromUser');
    }
  });

  it('publisher: bad input is answered with an error object, not a function error', async () => {
    expect(await invokePublisher({ channel: 'a b', data: 1 })).toEqual({
      error: 'INVALID_CHANNEL',
      message: 'channel may only contain A-Z a-z 0-9 _ - . : @ /',
    });
  });

  it('connections per user: the 11th handshake of one user is refused with 429', async () => {
    const erin = unique('erin');
    for (let i = 0; i < 10; i += 1) await open(erin);

    await expect(open(erin)).rejects.toThrow('handshake refused: 429');
    // Another user is not affected.
    await expect(open(unique('frank'))).resolves.toBeInstanceOf(TestClient);
  });
});
