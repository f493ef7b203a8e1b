import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * The wire protocol end to end: the real synthesized stack, the real bundled handlers in Lambda workers,
 * real WebSocket clients and a real DynamoDB engine — no mocks. Runs once per local DynamoDB engine.
 */
describe.each(['dynalite', 'local'] as const)('protocol over the offline runtime (%s)', (engine) => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  let stateDir: string;
  let db: DynamoDBDocumentClient;
  let tableName: string;
  const clients: TestClient[] = [];

  /** Each connection is a user of its own: they stay open until afterAll, beyond the per-user cap. */
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api));
    clients.push(client);
    return client;
  };

  /** The sender's connection id, as the server reports it in `from` of its own published message. */
  const connectionIdOf = async (client: TestClient): Promise<string> => {
    const channel = `whoami-${Math.random().toString(36).slice(2)}`;
    await client.request({ action: 'subscribe', channel }, 'subscribed');
    await client.request({ action: 'publish', channel, data: 'me' }, 'published');
    const frame = await client.next((json) => json.type === 'message' && json.channel === channel);
    await client.request({ action: 'unsubscribe', channel }, 'unsubscribed');
    return (frame.json as { from: string }).from;
  };

  const itemsOf = async (connectionId: string) => {
    const res = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :c',
        ExpressionAttributeValues: { ':c': connectionId },
      }),
    );
    return res.Items ?? [];
  };

  const eventually = async <T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'protocol-integration-'));
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      dynamodb: { engine },
      stateDir,
    });
    const first = runtime.apis[0];
    if (!first) throw new Error('the product assembly has no WebSocket API');
    api = first;
    const raw = new DynamoDBClient({
      endpoint: runtime.dynamodb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    db = DynamoDBDocumentClient.from(raw);
    const tables = await raw.send(new ListTablesCommand({}));
    tableName = tables.TableNames?.[0] ?? '';
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await runtime?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers a publish to every subscriber of the channel and only to them', async () => {
    const [alice, bob, carol] = await Promise.all([connect(), connect(), connect()]);
    await alice.request({ action: 'subscribe', channel: 'lobby', id: 1 }, 'subscribed');
    const ack = await bob.request({ action: 'subscribe', channel: 'lobby', id: 'b' }, 'subscribed');
    expect(ack).toEqual({ type: 'subscribed', channel: 'lobby', seq: 0, id: 'b' });

    alice.send({ action: 'publish', channel: 'lobby', data: { score: 42 } });
    const published = await alice.next((json) => json.type === 'published');
    const atBob = await bob.next((json) => json.type === 'message');
    const atAlice = await alice.next((json) => json.type === 'message');

    expect(published.json).toMatchObject({ type: 'published', channel: 'lobby', seq: 1, delivered: 2 });
    expect(atBob.json).toMatchObject({ type: 'message', channel: 'lobby', data: { score: 42 }, seq: 1 });
    expect(atAlice.json).toEqual(atBob.json);
    await expect(carol.next((json) => json.type === 'message', 500)).rejects.toThrow(/no matching frame/);
  });

  it('numbers the messages of a channel in publish order', async () => {
    const [pub, sub] = await Promise.all([connect(), connect()]);
    await sub.request({ action: 'subscribe', channel: 'seq-test' }, 'subscribed');
    for (const n of [1, 2, 3]) {
      await pub.request({ action: 'publish', channel: 'seq-test', data: n }, 'published');
    }
    const seqs: unknown[] = [];
    for (let i = 0; i < 3; i++)
      seqs.push(((await sub.next((j) => j.type === 'message')).json as { seq: number }).seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('stops delivering to a connection after it unsubscribes', async () => {
    const [pub, sub] = await Promise.all([connect(), connect()]);
    await sub.request({ action: 'subscribe', channel: 'leave' }, 'subscribed');
    const ack = await sub.request({ action: 'unsubscribe', channel: 'leave', id: 7 }, 'unsubscribed');
    expect(ack).toEqual({ type: 'unsubscribed', channel: 'leave', id: 7 });
    const published = await pub.request({ action: 'publish', channel: 'leave', data: 'x' }, 'published');
    expect(published.delivered).toBe(0);
    await expect(sub.next((json) => json.type === 'message', 500)).rejects.toThrow(/no matching frame/);
  });

  it('broadcasts sendmessage data as a raw frame to every open connection, sender included', async () => {
    const group = await Promise.all([connect(), connect(), connect()]);
    const marker = `hello-${Math.random()}`;
    group[0]?.send({ action: 'sendmessage', data: marker });
    for (const client of group) {
      const frame = await client.next((_json, raw) => raw === marker);
      expect(frame.raw).toBe(marker);
    }
  });

  it('answers ping with pong, echoing the id', async () => {
    const client = await connect();
    expect(await client.request({ action: 'ping', id: 'hb-1' }, 'pong')).toEqual({
      type: 'pong',
      id: 'hb-1',
    });
  });

  it.each([
    ['INVALID_JSON', 'not json at all'],
    ['UNKNOWN_ACTION', { action: 'fly' }],
    ['UNKNOWN_ACTION', { channel: 'lobby' }],
    ['INVALID_REQUEST', { action: 'publish', channel: 'lobby' }],
    ['INVALID_REQUEST', { action: 'ping', id: { nested: true } }],
    ['INVALID_CHANNEL', { action: 'subscribe', channel: '' }],
    ['INVALID_CHANNEL', { action: 'subscribe', channel: 'x'.repeat(129) }],
    ['INVALID_CHANNEL', { action: 'subscribe', channel: 'no spaces#' }],
    ['INVALID_REQUEST', { action: 'subscribe', channel: 12 }],
  ])('replies %s to %j and keeps the connection open', async (code, request) => {
    const client = await connect();
    client.send(request);
    const error = await client.next((json) => json.type === 'error');
    expect(error.json).toMatchObject({ type: 'error', code });
    expect(typeof (error.json as { message: unknown }).message).toBe('string');
    expect(await client.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('rejects a publish whose message would exceed 128 KiB, without sending anything', async () => {
    const [pub, sub] = await Promise.all([connect(), connect()]);
    await sub.request({ action: 'subscribe', channel: 'big' }, 'subscribed');
    // The request itself stays under API Gateway's 128 KB message limit (sent in 32 KB frames), but the
    // envelope subscribers would receive (with from/seq/sentAt) does not fit.
    const body = JSON.stringify({ action: 'publish', channel: 'big', id: 9, data: 'x'.repeat(131_000) });
    const bytes = Buffer.from(body);
    for (let offset = 0; offset < bytes.length; offset += 30_000) {
      const end = Math.min(offset + 30_000, bytes.length);
      pub.socket.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length });
    }
    const error = await pub.next((json) => json.type === 'error');
    expect(error.json).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', id: 9 });
    await expect(sub.next((json) => json.type === 'message', 500)).rejects.toThrow(/no matching frame/);
  });

  it('removes the connection and all its subscriptions from the table on disconnect', async () => {
    const client = await connect();
    const id = await connectionIdOf(client);
    await client.request({ action: 'subscribe', channel: 'a' }, 'subscribed');
    await client.request({ action: 'subscribe', channel: 'b' }, 'subscribed');
    const before = await itemsOf(id);
    expect(before.map((i) => i.pk).sort()).toEqual(
      expect.arrayContaining(['CHAN#a', 'CHAN#b', `CONN#${id}`]),
    );

    await client.close();
    const after = await eventually(
      () => itemsOf(id),
      (items) => items.length === 0,
    );
    expect(after).toEqual([]);
  });

  it('removes a recipient that is gone (410) during fan-out, not the sender', async () => {
    const pub = await connect();
    const ghost = 'GhostConnId0=';
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'CHAN#haunted', sk: `CONN#${ghost}`, connectionId: ghost, ttl },
      }),
    );
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `CONN#${ghost}`, sk: 'META', connectionId: ghost, ttl },
      }),
    );
    const sender = await connectionIdOf(pub);

    const published = await pub.request({ action: 'publish', channel: 'haunted', data: 1 }, 'published');

    expect(published.delivered).toBe(0);
    expect(await itemsOf(ghost)).toEqual([]);
    expect((await itemsOf(sender)).length).toBeGreaterThan(0);
    const scan = await db.send(new ScanCommand({ TableName: tableName }));
    expect(scan.Items?.some((i) => i.connectionId === ghost)).toBe(false);
  });
});
