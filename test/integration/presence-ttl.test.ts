import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import { type RunningRuntime, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * The TTL path of presence end to end: a connection that vanished without `$disconnect` and that no fan-out
 * found gone leaves when its presence item expires. The runtime's sweeper deletes it, the table stream hands
 * the TTL `REMOVE` record to the reaper (through the mapping's filter), and the reaper announces the `leave`.
 */
describe('presence leave by TTL over the offline runtime', () => {
  let runtime: RunningRuntime;
  let db: DynamoDBDocumentClient;
  let tableName: string;
  const sockets: TestClient[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      ttlSweepIntervalMs: 200,
      onWarning: (message) => warnings.push(message),
    });
    const raw = new DynamoDBClient({
      endpoint: runtime.dynamodb.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
    });
    db = DynamoDBDocumentClient.from(raw);
    tableName = (await raw.send(new ListTablesCommand({}))).TableNames?.[0] ?? '';
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    db?.destroy();
    await runtime?.close();
  });

  it('announces the leave of an expired presence item to the members still present', async () => {
    const api = runtime.apis[0];
    if (api === undefined) throw new Error('the product assembly has no WebSocket API');
    const channel = `ttl-room-${Math.random().toString(36).slice(2, 8)}`;
    const alice = await TestClient.open(connectUrl(api, { clientId: 'alice', name: 'Alice' }));
    sockets.push(alice);
    await alice.request({ action: 'subscribe', channel, presence: true }, 'subscribed');

    // A ghost: its $disconnect never came and nothing posted to it, so only its TTL (already past) is left.
    const ghost = { connectionId: 'dHRsLWdob3N0PQ==', clientId: 'ghost', name: 'Ghost' };
    const ttl = Math.floor(Date.now() / 1000) - 60;
    const metaKey = { pk: `CONN#${ghost.connectionId}`, sk: 'META' };
    const presenceKey = { pk: `PRES#${channel}`, sk: `CONN#${ghost.connectionId}` };
    await db.send(new PutCommand({ TableName: tableName, Item: { ...metaKey, ...ghost, ttl } }));
    await db.send(new PutCommand({ TableName: tableName, Item: { ...presenceKey, ...ghost, ttl } }));

    const leave = await alice.next((json) => json.type === 'leave', 15_000);

    expect(leave.json).toEqual({ type: 'leave', channel, member: ghost });
    // The sweeper deleted both items; the META's record was filtered out (no second leave).
    for (const Key of [metaKey, presenceKey]) {
      expect((await db.send(new GetCommand({ TableName: tableName, Key }))).Item).toBeUndefined();
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(alice.frames.filter((frame) => (frame.json as { type?: string }).type === 'leave')).toHaveLength(
      1,
    );
    const listed = await alice.request({ action: 'presence', channel }, 'presence');
    expect((listed.members as { clientId: string }[]).map((member) => member.clientId)).toEqual(['alice']);
    expect(warnings.filter((warning) => warning.startsWith('stream'))).toEqual([]);
  });
});
