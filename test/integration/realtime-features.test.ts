import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { connect, type MessageEnvelope, type RealtimeClient } from '../../client/index.js';
import { connectUrl } from '../../local/connect-url.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * Leaderboards, history, resume and presence end to end: the synthesized product stack, its bundled handlers,
 * a real DynamoDB engine, raw WebSocket clients and the client library — no mocks. Once per local engine,
 * because the ranking relies on a strongly consistent local secondary index.
 */
describe.each(['dynalite', 'local'] as const)('realtime features over the offline runtime (%s)', (engine) => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  let management: ApiGatewayManagementApiClient;
  let db: DynamoDBDocumentClient;
  let tableName: string;
  const sockets: TestClient[] = [];
  const clients: RealtimeClient[] = [];
  const unique = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

  const open = async (query: Record<string, string> = {}): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, query));
    sockets.push(client);
    return client;
  };

  const library = (clientId: string, name?: string): RealtimeClient => {
    const client = connect(api.url, {
      // With auth on the client id must be the token's user: a token of that user, as connectUrl signs.
      ...(api.tokenFor === undefined ? {} : { token: () => api.tokenFor?.(clientId) ?? '' }),
      WebSocket: WebSocket as unknown as NonNullable<Parameters<typeof connect>[1]>['WebSocket'],
      clientId,
      ...(name === undefined ? {} : { name }),
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    clients.push(client);
    return client;
  };

  const eventually = async (check: () => void, ms = 10_000): Promise<void> => {
    const until = Date.now() + ms;
    for (;;) {
      try {
        check();
        return;
      } catch (error) {
        if (Date.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  beforeAll(async () => {
    runtime = await startRuntime({ cdkOut: inject('productAssembly'), port: 0, dynamodb: { engine } });
    const first = runtime.apis[0];
    if (first === undefined) throw new Error('the product assembly has no WebSocket API');
    api = first;
    const credentials = { ...LOCAL_CREDENTIALS };
    management = new ApiGatewayManagementApiClient({
      endpoint: api.managementUrl,
      region: 'us-east-1',
      credentials,
    });
    const raw = new DynamoDBClient({ endpoint: runtime.dynamodb.endpoint, region: 'us-east-1', credentials });
    db = DynamoDBDocumentClient.from(raw);
    tableName = (await raw.send(new ListTablesCommand({}))).TableNames?.[0] ?? '';
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    management?.destroy();
    await runtime?.close();
  });

  describe('leaderboard', () => {
    it('loses no point when 50 clients submit 20 scores each at once, and every viewer ends on the final board', async () => {
      const board = unique('game');
      const players = ['ann', 'bob', 'cyd', 'dee', 'eve'];
      const viewer = await open();
      await viewer.request({ action: 'subscribe', channel: board }, 'subscribed');
      const scorers = await Promise.all(Array.from({ length: 50 }, () => open()));

      // Each client sends its 20 scores one after the other; the 50 clients run at once.
      const acks = await Promise.all(
        scorers.map(async (scorer, index) => {
          const versions: number[] = [];
          for (let n = 0; n < 20; n += 1) {
            const player = players[(index + n) % players.length];
            const ack = await scorer.request({ action: 'score', board, player, points: 1, id: n }, 'scored');
            versions.push(ack.version as number);
          }
          return versions;
        }),
      );

      viewer.send({ action: 'top', board, id: 'final' });
      const top = (await viewer.next((json) => json.id === 'final')).json as Record<string, unknown>;
      const entries = top.top as { rank: number; player: string; score: number }[];
      expect(entries.reduce((sum, entry) => sum + entry.score, 0)).toBe(1000);
      expect(entries.map((entry) => entry.score)).toEqual([200, 200, 200, 200, 200]);
      expect(entries.map((entry) => entry.rank)).toEqual([1, 2, 3, 4, 5]);
      expect(top.version).toBe(1000);
      expect(new Set(acks.flat()).size).toBe(1000);
      // The viewer drops snapshots older than the newest it saw; the newest must be the final board.
      await eventually(() => {
        const pushes = viewer.frames
          .map((frame) => frame.json as { type?: string; version?: number; top?: unknown })
          .filter((json) => json?.type === 'leaderboard' && !('id' in json));
        const newest = pushes.reduce((a, b) => ((a.version ?? 0) >= (b.version ?? 0) ? a : b));
        expect(newest.version).toBe(1000);
        expect(newest.top).toEqual(top.top);
      });
    });

    it('ranks equal scores by who reached them first, and sends the board with the subscribe ack', async () => {
      const board = unique('ties');
      const player = await open();
      await player.request({ action: 'score', board, player: 'zed', points: 10 }, 'scored');
      await player.request({ action: 'score', board, player: 'amy', points: 5 }, 'scored');
      await player.request({ action: 'score', board, player: 'amy', points: 5 }, 'scored');
      await player.request({ action: 'score', board, player: 'max', points: 12 }, 'scored');
      const down = await player.request({ action: 'score', board, player: 'max', points: -20 }, 'scored');
      expect(down.score).toBe(-8);

      const viewer = await open();
      const ack = await viewer.request({ action: 'subscribe', channel: board }, 'subscribed');
      expect(ack.leaderboard).toEqual({
        type: 'leaderboard',
        board,
        version: 5,
        top: [
          { rank: 1, player: 'zed', score: 10 },
          { rank: 2, player: 'amy', score: 10 },
          { rank: 3, player: 'max', score: -8 },
        ],
      });
      viewer.send({ action: 'top', board, limit: 1, id: 'one' });
      const limited = (await viewer.next((json) => json.id === 'one')).json as Record<string, unknown>;
      expect(limited.top).toEqual([{ rank: 1, player: 'zed', score: 10 }]);
    });

    it('refuses bad scores with an error frame and changes nothing', async () => {
      const board = unique('bad');
      const player = await open();
      const errors = await Promise.all([
        player.request({ action: 'score', board, player: 'x', points: 1.5, id: 1 }, 'error'),
        player.request({ action: 'score', board, player: 'bad player', points: 1, id: 2 }, 'error'),
        player.request({ action: 'score', board: 'no spaces', player: 'x', points: 1, id: 3 }, 'error'),
      ]);
      expect(errors.map((error) => error.code).sort()).toEqual([
        'INVALID_CHANNEL',
        'INVALID_REQUEST',
        'INVALID_REQUEST',
      ]);
      const top = await player.request({ action: 'top', board }, 'leaderboard');
      expect(top).toMatchObject({ version: 0, top: [] });
    });
  });

  describe('history and resume', () => {
    it('keeps the last 50 messages in order, and says when a resume point is past them', async () => {
      const channel = unique('chat');
      const publisher = await open({ clientId: 'pub-1', name: 'Publisher' });
      for (let n = 1; n <= 60; n += 1) {
        await publisher.request({ action: 'publish', channel, data: { n } }, 'published');
      }
      const reader = await open();
      const ack = await reader.request({ action: 'subscribe', channel, history: true }, 'subscribed');
      const messages = ack.messages as { seq: number; data: { n: number }; author: unknown }[];
      expect(ack.seq).toBe(60);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
      expect(messages[0]?.data).toEqual({ n: 11 });
      expect(messages[0]?.author).toEqual({ clientId: 'pub-1', name: 'Publisher' });

      const recent = await reader.request({ action: 'history', channel, since: 55 }, 'history');
      expect(recent).toMatchObject({ seq: 60, recovered: true });
      expect((recent.messages as { seq: number }[]).map((m) => m.seq)).toEqual([56, 57, 58, 59, 60]);
      const gap = await reader.request({ action: 'history', channel, since: 5 }, 'history');
      expect(gap.recovered).toBe(false);
      expect((gap.messages as { seq: number }[])[0]?.seq).toBe(11);
      const upToDate = await reader.request(
        { action: 'subscribe', channel, since: 60, id: 'again' },
        'subscribed',
      );
      expect(upToDate).toMatchObject({ seq: 60, messages: [], recovered: true });
    });

    it('resumes after a server-side drop with exactly the messages missed, through the client library', async () => {
      const channel = unique('resume');
      const reader = library('reader-1');
      const received: MessageEnvelope[] = [];
      const resets: unknown[] = [];
      await reader.subscribe(channel, {
        onMessage: (m) => received.push(m),
        onReset: (info) => resets.push(info),
      });
      const publisher = await open();
      const publish = (n: number) => publisher.request({ action: 'publish', channel, data: n }, 'published');
      for (let n = 1; n <= 5; n += 1) await publish(n);
      await eventually(() => expect(received).toHaveLength(5));
      const connectionId = await whoIs(reader);

      // Act: the server drops the reader while messages keep coming.
      const reconnected = new Promise<void>((resolve) => {
        const off = reader.on('state', (state) => {
          if (state === 'open') {
            off();
            resolve();
          }
        });
      });
      await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      for (let n = 6; n <= 15; n += 1) await publish(n);
      await reconnected;
      for (let n = 16; n <= 18; n += 1) await publish(n);

      // Assess: every seq once, in order, no reset.
      await eventually(() =>
        expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1)),
      );
      expect(received.map((m) => m.data)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
      expect(resets).toEqual([]);
    });
  });

  /** The connection id of a library client: it publishes to a channel of its own and reads `from`. */
  const whoIs = async (client: RealtimeClient): Promise<string> => {
    const probe = unique('whoami');
    let from: string | undefined;
    const subscription = await client.subscribe(probe, {
      onMessage: (message) => {
        from = message.from;
      },
    });
    await client.publish(probe, 'me');
    await eventually(() => expect(from).toBeDefined());
    await subscription.unsubscribe();
    return from ?? '';
  };

  describe('presence', () => {
    it('lists members with their names and announces join and leave, also for a connection dropped by the server', async () => {
      const channel = unique('room');
      const alice = await open({ clientId: 'alice', name: 'Alice' });
      await alice.request({ action: 'subscribe', channel, presence: true }, 'subscribed');
      const bob = await open({ clientId: 'bob', name: 'Bob B' });
      await bob.request({ action: 'subscribe', channel, presence: true }, 'subscribed');
      const join = await alice.next(
        (json) => json.type === 'join' && (json.member as { clientId: string }).clientId === 'bob',
      );
      const bobId = (join.json as { member: { connectionId: string } }).member.connectionId;
      expect(join.json).toEqual({
        type: 'join',
        channel,
        member: { clientId: 'bob', name: 'Bob B', connectionId: bobId },
      });

      // A subscriber without presence is not listed.
      const lurker = await open({ clientId: 'lurker' });
      await lurker.request({ action: 'subscribe', channel }, 'subscribed');
      const listed = await lurker.request({ action: 'presence', channel }, 'presence');
      expect((listed.members as { clientId: string }[]).map((m) => m.clientId).sort()).toEqual([
        'alice',
        'bob',
      ]);

      await management.send(new DeleteConnectionCommand({ ConnectionId: bobId }));
      const leave = await alice.next((json) => json.type === 'leave');
      expect(leave.json).toMatchObject({ channel, member: { clientId: 'bob', connectionId: bobId } });
      const after = await alice.request({ action: 'presence', channel }, 'presence');
      expect((after.members as { clientId: string }[]).map((m) => m.clientId)).toEqual(['alice']);
    });

    it('announces the leave of a connection that vanished without $disconnect once a fan-out finds it gone (410)', async () => {
      const channel = unique('ghosts');
      const alice = await open({ clientId: 'alice' });
      await alice.request({ action: 'subscribe', channel, presence: true }, 'subscribed');
      // A connection whose $disconnect never came: its items are still in the table, the gateway knows nothing of it.
      const ghost = { connectionId: 'Z2hvc3QtY29ubj0=', clientId: 'ghost', name: 'Ghost' };
      const ttl = Math.floor(Date.now() / 1000) + 3600;
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `CONN#${ghost.connectionId}`, sk: 'META', ...ghost, ttl },
        }),
      );
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `PRES#${channel}`, sk: `CONN#${ghost.connectionId}`, ...ghost, ttl },
        }),
      );
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `CHAN#${channel}`,
            sk: `CONN#${ghost.connectionId}`,
            connectionId: ghost.connectionId,
            ttl,
          },
        }),
      );
      const before = await alice.request({ action: 'presence', channel }, 'presence');
      expect((before.members as { clientId: string }[]).map((m) => m.clientId).sort()).toEqual([
        'alice',
        'ghost',
      ]);

      // Act: a publish fans out to the ghost, which answers 410.
      await alice.request({ action: 'publish', channel, data: 'anyone?' }, 'published');

      // Assess
      const leave = await alice.next((json) => json.type === 'leave');
      expect(leave.json).toEqual({ type: 'leave', channel, member: ghost });
      const after = await alice.request({ action: 'presence', channel }, 'presence');
      expect((after.members as { clientId: string }[]).map((m) => m.clientId)).toEqual(['alice']);
    });

    it('refuses a malformed clientId at the handshake', async () => {
      await expect(TestClient.open(await connectUrl(api, { clientId: 'no spaces' }))).rejects.toThrow('400');
    });
  });
});
