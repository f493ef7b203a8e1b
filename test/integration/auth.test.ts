import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { loadAssembly } from '../../local/assembly/index.js';
import { signToken } from '../../local/auth/tokens.js';
import { connectUrl } from '../../local/connect-url.js';
import type { InvocationLog } from '../../local/model.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { keptSecrets } from '../../local/secrets/vault.js';
import { TestClient } from './helpers/ws-client.js';

/** One request of each operation on `channel`, and the reply type it gets when allowed. */
const OPERATIONS: readonly {
  readonly op: string;
  readonly request: (channel: string) => Record<string, unknown>;
  readonly reply: string;
}[] = [
  { op: 'subscribe', request: (channel) => ({ action: 'subscribe', channel }), reply: 'subscribed' },
  { op: 'publish', request: (channel) => ({ action: 'publish', channel, data: 'x' }), reply: 'published' },
  { op: 'presence', request: (channel) => ({ action: 'presence', channel }), reply: 'presence' },
  { op: 'history', request: (channel) => ({ action: 'history', channel }), reply: 'history' },
  {
    op: 'score',
    request: (channel) => ({ action: 'score', board: channel, player: 'p1', points: 1 }),
    reply: 'scored',
  },
];

/**
 * Authentication at the handshake and authorization per channel and operation, end to end on the product
 * assembly: the real authorizer Lambda, its key generated into the emulated Secrets Manager, the route
 * handlers reading the grants the authorizer's context carries.
 */
describe('auth over the offline runtime', () => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  let stateDir: string;
  let secret: Uint8Array;
  let secretString: string;
  const invocations: InvocationLog[] = [];
  /** The logical id of the `$connect` route's own function (the authorizer logs under `$connect` too). */
  let connectFunctionId: string | undefined;
  const clients: TestClient[] = [];

  const open = async (url: string, protocols: string[] = []): Promise<TestClient> => {
    const client = await TestClient.open(url, protocols);
    clients.push(client);
    return client;
  };

  /** The HTTP status a refused handshake got (or 101 when it opened). */
  const statusOf = (url: string, protocols: string[] = []): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols);
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('open', () => {
        resolve(101);
        socket.close();
      });
      socket.once('error', (error) => {
        if (!socket.listenerCount('unexpected-response')) reject(error);
      });
    });

  const withToken = (token: string): string => `${api.url}/?${new URLSearchParams({ token })}`;
  const now = (): number => Math.floor(Date.now() / 1000);
  const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const gameToken = (sub: string): Promise<string> =>
    signToken(secretString, { sub, channels: { 'game-*': ['*'] } }, { ttlSeconds: 600 });
  // A player of its own per connection: the sockets stay open until afterAll, and one user may hold at most
  // MAX_CONNECTIONS_PER_USER (10) of them.
  let players = 0;
  const nextPlayer = (): string => {
    players += 1;
    return `player-${players}`;
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'auth-integration-'));
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      stateDir,
      onInvocation: (log) => invocations.push(log),
    });
    const model = (await loadAssembly(inject('productAssembly'))).stacks[0]?.apis[0];
    connectFunctionId = model?.routes.find((route) => route.routeKey === '$connect')?.functionId;
    expect(model?.routes.find((route) => route.routeKey === '$connect')?.authorizer).toBeDefined();
    const first = runtime.apis[0];
    if (first === undefined) throw new Error('the product assembly has no WebSocket API');
    api = first;
    const [only] = (await keptSecrets(stateDir)).values();
    if (only === undefined) throw new Error('the runtime generated no secret');
    secretString = only;
    secret = new TextEncoder().encode(only);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await runtime?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  describe('the handshake', () => {
    it('has a dev token, and it connects', async () => {
      expect(api.devToken).toMatch(/^eyJ/);
      const client = await open(await connectUrl(api));

      expect(await client.request({ action: 'subscribe', channel: 'lobby' }, 'subscribed')).toMatchObject({
        channel: 'lobby',
      });
    });

    it.each([
      ['no token', 401, async () => await connectUrl(api, { token: '' })],
      ['a malformed token', 401, async () => withToken('not-a-jwt')],
      [
        'a token signed with another key',
        401,
        async () =>
          withToken(
            await signToken(
              'another-secret-of-enough-length-0123456789',
              { sub: 'mallory' },
              { ttlSeconds: 600 },
            ),
          ),
      ],
      [
        'an unsigned token (alg none)',
        401,
        async () =>
          withToken(
            `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', exp: now() + 600 })}.`,
          ),
      ],
      [
        'an expired token',
        403,
        async () =>
          withToken(await signToken(secretString, { sub: 'alice' }, { ttlSeconds: 60, now: now() - 3600 })),
      ],
      [
        'a token not yet valid',
        403,
        async () =>
          withToken(
            await new SignJWT({})
              .setProtectedHeader({ alg: 'HS256' })
              .setSubject('alice')
              .setNotBefore(now() + 3600)
              .setExpirationTime(now() + 7200)
              .sign(secret),
          ),
      ],
      [
        'a token whose claims are not ours (bad sub)',
        403,
        async () =>
          withToken(
            await new SignJWT({})
              .setProtectedHeader({ alg: 'HS256' })
              .setSubject('has spaces')
              .setExpirationTime(now() + 600)
              .sign(secret),
          ),
      ],
      [
        'a token whose grants are not ours',
        403,
        async () =>
          withToken(
            await new SignJWT({ channels: { 'game-*': ['fly'] } })
              .setProtectedHeader({ alg: 'HS256' })
              .setSubject('alice')
              .setExpirationTime(now() + 600)
              .sign(secret),
          ),
      ],
      [
        'a token without exp',
        403,
        async () =>
          withToken(
            await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(secret),
          ),
      ],
    ])('refuses %s with %i, and never runs $connect', async (_case, status, url) => {
      const connectRuns = () =>
        invocations.filter((log) => log.routeKey === '$connect' && log.functionId === connectFunctionId)
          .length;
      const before = connectRuns();

      expect(await statusOf(await url())).toBe(status);
      expect(connectRuns()).toBe(before);
    });

    it('takes the token from Sec-WebSocket-Protocol and answers the realtime subprotocol', async () => {
      const token = await gameToken('sub-alice');
      const client = await open(await connectUrl(api, { token: '' }), ['realtime', `bearer.${token}`]);

      expect(client.socket.protocol).toBe('realtime');
      expect(await client.request({ action: 'subscribe', channel: 'game-1' }, 'subscribed')).toMatchObject({
        channel: 'game-1',
      });
    });

    it('refuses a subprotocol token signed with another key with 401', async () => {
      const token = await signToken(
        'another-secret-of-enough-length-0123456789',
        { sub: 'x' },
        { ttlSeconds: 60 },
      );

      expect(await statusOf(await connectUrl(api, { token: '' }), ['realtime', `bearer.${token}`])).toBe(401);
    });
  });

  describe("a connection's identity is its token's user", () => {
    it("refuses alice's token claiming ?clientId=bob with 403, from $connect (the token itself is valid)", async () => {
      const connectRuns = () =>
        invocations.filter((log) => log.routeKey === '$connect' && log.functionId === connectFunctionId)
          .length;
      const before = connectRuns();
      const alice = await gameToken('alice-claims');

      expect(await statusOf(`${withToken(alice)}&clientId=bob`)).toBe(403);
      expect(connectRuns()).toBe(before + 1);
      expect(await statusOf(`${withToken(alice)}&clientId=alice-claims`)).toBe(101);
    });

    it("shows alice as alice to others: her messages' author, and each of her tabs in presence", async () => {
      const channel = `game-who-${Math.random().toString(36).slice(2, 8)}`;
      const watcher = await open(await connectUrl(api, { clientId: 'who-watcher' }));
      await watcher.request({ action: 'subscribe', channel, presence: true }, 'subscribed');
      const token = await gameToken('alice-who');
      // Two tabs of one user, neither naming a client id: both are the client `alice-who`.
      const tabs = [await open(withToken(token)), await open(`${withToken(token)}&name=Alice`)];
      for (const tab of tabs)
        await tab.request({ action: 'subscribe', channel, presence: true }, 'subscribed');

      const [first] = tabs;
      await first?.request({ action: 'publish', channel, data: 'hi from alice' }, 'published');
      const message = await watcher.next((json) => json.type === 'message' && json.data === 'hi from alice');
      const presence = await watcher.request({ action: 'presence', channel }, 'presence');

      expect(message.json).toMatchObject({ author: { clientId: 'alice-who' } });
      const members = (presence.members as { clientId: string; connectionId: string }[]).filter(
        (member) => member.clientId !== 'who-watcher',
      );
      expect(members.map((member) => member.clientId)).toEqual(['alice-who', 'alice-who']);
      expect(new Set(members.map((member) => member.connectionId)).size).toBe(2);
    });
  });

  it('keeps the key across a restart: a token of the first session connects to the second', async () => {
    const token = api.devToken ?? '';
    const again = await startRuntime({ cdkOut: inject('productAssembly'), port: 0, stateDir });
    try {
      const second = again.apis[0];
      if (second === undefined) throw new Error('no API');
      const client = await TestClient.open(await connectUrl(second, { token }));

      expect(await client.request({ action: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
      await client.close();
    } finally {
      await again.close();
    }
  });

  describe('per channel and operation', () => {
    it.each(OPERATIONS)(
      '$op: a game-* token gets FORBIDDEN on chat, and nothing reaches chat',
      async ({ request }) => {
        const watcher = await open(await connectUrl(api, { clientId: 'watcher' }));
        await watcher.request({ action: 'subscribe', channel: 'chat' }, 'subscribed');
        const player = await open(withToken(await gameToken(nextPlayer())));

        const refused = await player.request({ ...request('chat'), id: 'r1' }, 'error');

        expect(refused).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 'r1' });
        // A marker the watcher may receive: whatever the refused request could have sent arrives before it.
        await watcher.request({ action: 'publish', channel: 'chat', data: 'marker' }, 'published');
        await watcher.next((json) => json.type === 'message' && json.data === 'marker');
        expect(watcher.frames.map((frame) => frame.json)).not.toContainEqual(
          expect.objectContaining({ type: 'message', data: 'x' }),
        );
        expect(watcher.frames.map((frame) => frame.json)).not.toContainEqual(
          expect.objectContaining({ type: 'join' }),
        );
        expect(watcher.frames.map((frame) => frame.json)).not.toContainEqual(
          expect.objectContaining({ type: 'leaderboard', board: 'chat' }),
        );
      },
    );

    it.each(OPERATIONS)('$op: the same token is allowed on game-1', async ({ request, reply }) => {
      const player = await open(withToken(await gameToken(nextPlayer())));

      expect(await player.request({ ...request('game-1'), id: 'a1' }, reply)).toMatchObject({
        type: reply,
        id: 'a1',
      });
      expect(player.frames.map((frame) => frame.json)).not.toContainEqual(
        expect.objectContaining({ type: 'error' }),
      );
    });

    it('carries the grants to every route: broadcast only with the broadcast grant', async () => {
      const listener = await open(await connectUrl(api, { clientId: 'listener' }));
      const player = await open(withToken(await gameToken(nextPlayer())));
      const broadcaster = await open(
        withToken(await signToken(secretString, { sub: 'host', broadcast: true }, { ttlSeconds: 600 })),
      );

      const refused = await player.request({ action: 'sendmessage', data: 'from-player' }, 'error');
      broadcaster.send({ action: 'sendmessage', data: 'from-host' });

      expect(refused).toMatchObject({ code: 'FORBIDDEN' });
      expect((await listener.next((_json, raw) => raw === 'from-host')).raw).toBe('from-host');
      expect(listener.frames.map((frame) => frame.raw)).not.toContain('from-player');
    });

    it('stores nothing for a refused subscribe: no subscription, no presence', async () => {
      const channel = `chat-${Math.random().toString(36).slice(2, 8)}`;
      const player = await open(withToken(await gameToken(nextPlayer())));
      await player.request({ action: 'subscribe', channel, presence: true, id: 's' }, 'error');
      const watcher = await open(await connectUrl(api, { clientId: 'watcher-2' }));

      const presence = await watcher.request({ action: 'presence', channel }, 'presence');
      const published = await watcher.request({ action: 'publish', channel, data: 'hello' }, 'published');

      expect(presence.members).toEqual([]);
      expect(published.delivered).toBe(0);
      expect(player.frames.map((frame) => frame.json)).not.toContainEqual(
        expect.objectContaining({ type: 'message', channel }),
      );
    });
  });
});
