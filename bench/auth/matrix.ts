/**
 * The auth matrix: every way into the API without a valid token, and every operation on a channel outside a
 * token's grant, tried against a running API, each with the answer it must get. A case's `got` is what the
 * server did (an HTTP status for a handshake, a reply type or error code for a request), never what was hoped.
 *
 * @module
 */
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { signToken } from '../../local/auth/tokens.js';
import { connectUrl } from '../../local/connect-url.js';
import type { RuntimeApi } from '../../local/runtime.js';

/** One row of the table. */
export interface MatrixRow {
  readonly name: string;
  readonly expected: string;
  readonly got: string;
}

/** How long one handshake or one request may take before it counts as `timeout`. */
const STEP_TIMEOUT_MS = 5_000;
const OTHER_KEY = 'another-secret-of-enough-length-0123456789';
const REFUSED_CHANNEL = 'chat';
const ALLOWED_CHANNEL = 'game-1';
/**
 * The user of the game-* token, and so its connection's `clientId` (with auth on the token's `sub` is the
 * client id), so its presence events can be told from the watcher's own.
 */
const PLAYER = 'player';

/** One request of each operation on a channel, and the reply it gets when allowed. */
export const OPERATIONS: readonly {
  readonly op: string;
  readonly request: (channel: string) => Record<string, unknown>;
  readonly reply: string;
}[] = [
  {
    op: 'subscribe',
    request: (channel) => ({ action: 'subscribe', channel, presence: true }),
    reply: 'subscribed',
  },
  {
    op: 'publish',
    request: (channel) => ({ action: 'publish', channel, data: 'refused?' }),
    reply: 'published',
  },
  { op: 'presence', request: (channel) => ({ action: 'presence', channel }), reply: 'presence' },
  { op: 'history', request: (channel) => ({ action: 'history', channel }), reply: 'history' },
  {
    op: 'score',
    request: (channel) => ({ action: 'score', board: channel, player: 'p1', points: 1 }),
    reply: 'scored',
  },
];

/** An open socket that keeps what it receives. */
interface Peer {
  readonly socket: WebSocket;
  readonly frames: string[];
  /** The first frame whose JSON `type` is `type` or `error`, or `timeout`. */
  reply(request: Record<string, unknown>, type: string): Promise<string>;
  close(): void;
}

/** Opens a socket; resolves with the peer, or with the HTTP status that refused it (or `timeout`/`error`). */
function dial(url: string, protocols: string[] = []): Promise<Peer | string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols, { handshakeTimeout: STEP_TIMEOUT_MS });
    const frames: string[] = [];
    const listeners: ((frame: string) => void)[] = [];
    socket.on('message', (data) => {
      const frame = data.toString();
      frames.push(frame);
      for (const listener of [...listeners]) listener(frame);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(String(response.statusCode));
      socket.terminate();
    });
    socket.once('error', (error) => resolve(/timed out/i.test(error.message) ? 'timeout' : 'error'));
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        close: () => socket.terminate(),
        reply: (request, type) =>
          new Promise((done) => {
            const timer = setTimeout(() => finish('timeout'), STEP_TIMEOUT_MS);
            const listener = (frame: string): void => {
              const json = parse(frame);
              if (json?.type === type) finish(type);
              else if (json?.type === 'error') finish(String(json.code));
            };
            const finish = (outcome: string): void => {
              clearTimeout(timer);
              listeners.splice(listeners.indexOf(listener), 1);
              done(outcome);
            };
            listeners.push(listener);
            socket.send(JSON.stringify(request));
          }),
      }),
    );
  });
}

function parse(frame: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(frame);
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The outcome of a handshake: `101` when it opened (the socket is closed again), else the status. */
async function handshake(url: string, protocols: string[] = []): Promise<string> {
  const peer = await dial(url, protocols);
  if (typeof peer === 'string') return peer;
  const protocol = peer.socket.protocol;
  peer.close();
  return protocols.length > 0 ? `101 ${protocol || '(no subprotocol)'}` : '101';
}

const now = (): number => Math.floor(Date.now() / 1000);
const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Runs the matrix against `api`, whose `$connect` verifies HS256 tokens keyed by `secret`.
 *
 * @param secret the API's signing key (the runtime's generated secret).
 */
export async function runAuthMatrix(api: RuntimeApi, secret: string): Promise<MatrixRow[]> {
  const key = new TextEncoder().encode(secret);
  const url = (token: string): string => `${api.url}/?${new URLSearchParams({ token })}`;
  const jwt = (claims: Record<string, unknown>, sub: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub);
  const game = await signToken(secret, { sub: PLAYER, channels: { 'game-*': ['*'] } }, { ttlSeconds: 600 });
  const rows: MatrixRow[] = [];
  const row = (name: string, expected: string, got: string): void => {
    rows.push({ name, expected, got });
  };

  const handshakes: [string, string, () => Promise<string>][] = [
    ['no token', '401', async () => handshake(await connectUrl(api, { token: '' }))],
    ['malformed token', '401', async () => handshake(url('not-a-jwt'))],
    [
      'wrong signature',
      '401',
      async () => handshake(url(await signToken(OTHER_KEY, { sub: 'mallory' }, { ttlSeconds: 600 }))),
    ],
    [
      'alg none',
      '401',
      async () =>
        handshake(
          url(
            `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', exp: now() + 600 })}.`,
          ),
        ),
    ],
    [
      'expired',
      '403',
      async () =>
        handshake(url(await signToken(secret, { sub: 'alice' }, { ttlSeconds: 60, now: now() - 3600 }))),
    ],
    [
      'not yet valid (nbf)',
      '403',
      async () =>
        handshake(
          url(
            await jwt({}, 'alice')
              .setNotBefore(now() + 3600)
              .setExpirationTime(now() + 7200)
              .sign(key),
          ),
        ),
    ],
    ['no exp', '403', async () => handshake(url(await jwt({}, 'alice').sign(key)))],
    [
      'bad sub',
      '403',
      async () =>
        handshake(
          url(
            await jwt({}, 'has spaces')
              .setExpirationTime(now() + 600)
              .sign(key),
          ),
        ),
    ],
    [
      'bad grants',
      '403',
      async () =>
        handshake(
          url(
            await jwt({ channels: { 'game-*': ['fly'] } }, 'alice')
              .setExpirationTime(now() + 600)
              .sign(key),
          ),
        ),
    ],
    [
      'subprotocol, wrong signature',
      '401',
      async () =>
        handshake(await connectUrl(api, { token: '' }), [
          'realtime',
          `bearer.${await signToken(OTHER_KEY, { sub: 'x' }, { ttlSeconds: 60 })}`,
        ]),
    ],
    [
      'subprotocol, valid token',
      '101 realtime',
      async () => handshake(await connectUrl(api, { token: '' }), ['realtime', `bearer.${game}`]),
    ],
    ['query, valid token', '101', async () => handshake(url(game))],
    [
      'valid token, ?clientId= of another user',
      '403',
      async () => handshake(`${url(game)}&${new URLSearchParams({ clientId: 'someone-else' })}`),
    ],
  ];
  for (const [name, expected, attempt] of handshakes) row(`handshake: ${name}`, expected, await attempt());

  const watcher = await dial(await connectUrl(api, { clientId: 'matrix-watcher' }));
  const player = await dial(await connectUrl(api, { token: game, clientId: PLAYER }));
  if (typeof watcher === 'string' || typeof player === 'string') {
    row(
      'open the watcher (dev token) and the game-* player',
      '101',
      `${String(watcher)} / ${String(player)}`,
    );
    return rows;
  }
  try {
    await watcher.reply({ action: 'subscribe', channel: REFUSED_CHANNEL, presence: true }, 'subscribed');
    for (const { op, request } of OPERATIONS) {
      row(
        `game-* token: ${op} on ${REFUSED_CHANNEL}`,
        'FORBIDDEN',
        await player.reply(request(REFUSED_CHANNEL), 'never'),
      );
    }
    row(
      'game-* token: sendmessage (no broadcast grant)',
      'FORBIDDEN',
      await player.reply({ action: 'sendmessage', data: 'refused?' }, 'never'),
    );
    // Whatever a refused request could have delivered to the watcher arrives before this marker.
    await watcher.reply({ action: 'publish', channel: REFUSED_CHANNEL, data: 'marker' }, 'published');
    const leaked = watcher.frames.filter((frame) => {
      const json = parse(frame);
      const member = json?.member as { clientId?: string } | undefined;
      return (
        frame === 'refused?' ||
        json?.data === 'refused?' ||
        (json?.type === 'join' && member?.clientId === PLAYER) ||
        (json?.type === 'leaderboard' && json.board === REFUSED_CHANNEL)
      );
    });
    row(
      `frames delivered to a ${REFUSED_CHANNEL} subscriber by refused requests`,
      '0',
      String(leaked.length),
    );
    for (const { op, request, reply } of OPERATIONS) {
      row(
        `game-* token: ${op} on ${ALLOWED_CHANNEL}`,
        reply,
        await player.reply(request(ALLOWED_CHANNEL), reply),
      );
    }
  } finally {
    watcher.close();
    player.close();
  }
  return rows;
}

/** The table: case, expected, got, pass; then the totals. */
export function formatMatrix(rows: readonly MatrixRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const expectedWidth = Math.max(8, ...rows.map((r) => r.expected.length));
  const gotWidth = Math.max(3, ...rows.map((r) => r.got.length));
  const line = (a: string, b: string, c: string, d: string) =>
    `| ${a.padEnd(width)} | ${b.padEnd(expectedWidth)} | ${c.padEnd(gotWidth)} | ${d.padEnd(4)} |`;
  const passed = rows.filter((r) => r.expected === r.got).length;
  return [
    line('case', 'expected', 'got', 'pass'),
    `|${'-'.repeat(width + 2)}|${'-'.repeat(expectedWidth + 2)}|${'-'.repeat(gotWidth + 2)}|------|`,
    ...rows.map((r) => line(r.name, r.expected, r.got, r.expected === r.got ? 'yes' : 'NO')),
    '',
    `${passed}/${rows.length} cases as expected${passed === rows.length ? '' : `, ${rows.length - passed} MISMATCH`}`,
  ].join('\n');
}
