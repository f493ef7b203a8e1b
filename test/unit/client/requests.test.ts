import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_FRAME_BYTES, RealtimeError } from '../../../client/index.js';
import { closeClients, createClient, flush, outcome, rejectionCode } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

/** A client whose first socket is open. */
const openClient = (options: Parameters<typeof createClient>[0] = {}) => {
  const harness = createClient(options);
  harness.network.latest.open();
  return { ...harness, socket: harness.network.latest };
};

describe('RealtimeClient: requests', () => {
  describe('acks', () => {
    it('puts a unique id in every request and settles each promise with its own ack', async () => {
      // Prepare
      const { client, socket } = openClient();
      const first = client.publish('lobby', { n: 1 });
      const second = client.publish('lobby', { n: 2 });
      const [a, b] = socket.framesOf('publish');

      // Act: answer out of order
      if (a === undefined || b === undefined) throw new Error('two publishes expected');
      socket.reply(b, { type: 'published', channel: 'lobby', seq: 8, delivered: 1 });
      socket.reply(a, { type: 'published', channel: 'lobby', seq: 7, delivered: 3, fanout: 'queued' });

      // Assess
      expect(a.id).not.toBe(b.id);
      expect(a).toEqual({ action: 'publish', channel: 'lobby', data: { n: 1 }, id: a.id });
      expect(await first).toEqual({ seq: 7, delivered: 3, fanout: 'queued' });
      expect(await second).toEqual({ seq: 8, delivered: 1 });
    });

    it('maps score, top, presence and history replies', async () => {
      // Prepare
      const { client, socket } = openClient();
      const scored = client.score('game-1', 'alice', -10);
      const top = client.top('game-1', 3);
      const presence = client.presence('lobby');
      const history = client.history('lobby', { since: 41, limit: 2 });
      const entry = { rank: 1, player: 'bob', score: 300 };
      const member = { clientId: 'c1', name: 'Alice', connectionId: 'x=' };
      const message = { type: 'message', channel: 'lobby', data: 1, from: 'y', seq: 42, sentAt: 5 };

      // Act
      socket.reply(socket.last('score'), {
        type: 'scored',
        board: 'game-1',
        player: 'alice',
        score: 90,
        version: 57,
      });
      socket.reply(socket.last('top'), { type: 'leaderboard', board: 'game-1', version: 57, top: [entry] });
      socket.reply(socket.last('presence'), { type: 'presence', channel: 'lobby', members: [member] });
      socket.reply(socket.last('history'), {
        type: 'history',
        channel: 'lobby',
        seq: 50,
        messages: [message],
        recovered: true,
        more: true,
      });

      // Assess
      expect(socket.last('score')).toMatchObject({ board: 'game-1', player: 'alice', points: -10 });
      expect(socket.last('top')).toMatchObject({ board: 'game-1', limit: 3 });
      expect(socket.last('history')).toMatchObject({ channel: 'lobby', since: 41, limit: 2 });
      expect(await scored).toEqual({ board: 'game-1', player: 'alice', score: 90, version: 57 });
      expect(await top).toEqual({ board: 'game-1', version: 57, top: [entry] });
      expect(await presence).toEqual([member]);
      expect(await history).toEqual({
        channel: 'lobby',
        seq: 50,
        messages: [message],
        recovered: true,
        more: true,
      });
    });

    it('rejects with the server code, message and request id of an error frame', async () => {
      // Prepare
      const { client, socket, errors } = openClient();
      const pending = outcome(client.publish('bad channel', 1));
      const request = socket.last('publish');

      // Act
      socket.reply(request, {
        type: 'error',
        code: 'INVALID_CHANNEL',
        message: 'channel may only contain …',
      });

      // Assess
      const result = await pending;
      expect(result.ok).toBe(false);
      const error = result.ok ? undefined : result.error;
      expect(error).toBeInstanceOf(RealtimeError);
      expect(error).toMatchObject({
        code: 'INVALID_CHANNEL',
        message: 'channel may only contain …',
        requestId: request.id,
      });
      expect(errors).toEqual([]);
    });

    it('validates points and data before sending anything', async () => {
      // Prepare
      const { client, socket } = openClient();

      // Act & Assess
      expect(await rejectionCode(client.score('b', 'p', 1.5))).toBe('INVALID_REQUEST');
      expect(await rejectionCode(client.publish('lobby', undefined))).toBe('INVALID_REQUEST');
      expect(socket.sent).toEqual([]);
    });

    it('sends any action through request() and resolves with the reply frame', async () => {
      // Prepare
      const { client, socket } = openClient();
      const pending = client.request('whoami', { verbose: true });

      // Act
      socket.reply(socket.last('whoami'), { type: 'me', clientId: 'c1' });

      // Assess
      expect(await pending).toEqual({ type: 'me', clientId: 'c1', id: socket.last('whoami').id });
    });

    it('resolves broadcast() once written, since sendmessage has no ack', async () => {
      // Prepare
      const { client, socket } = openClient();

      // Act
      await client.broadcast({ hello: 'all' });

      // Assess
      expect(socket.last('sendmessage')).toMatchObject({ data: { hello: 'all' } });
    });
  });

  describe('timeouts', () => {
    it('rejects with TIMEOUT when no ack arrives within requestTimeoutMs', async () => {
      // Prepare
      const { client } = openClient({ requestTimeoutMs: 2_000 });
      const pending = outcome(client.publish('lobby', 1));

      // Act
      await vi.advanceTimersByTimeAsync(1_999);
      const early = await Promise.race([pending, Promise.resolve('pending')]);
      await vi.advanceTimersByTimeAsync(1);

      // Assess
      expect(early).toBe('pending');
      expect(await pending).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    });

    it('ignores an ack that arrives after the timeout', async () => {
      // Prepare
      const { client, socket, raw, errors } = openClient({ requestTimeoutMs: 100 });
      const pending = rejectionCode(client.publish('lobby', 1));
      await vi.advanceTimersByTimeAsync(100);

      // Act
      socket.reply(socket.last('publish'), { type: 'published', channel: 'lobby', seq: 1, delivered: 0 });

      // Assess
      expect(await pending).toBe('TIMEOUT');
      expect(raw).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('does not start the timeout while a request waits in the offline queue', async () => {
      // Prepare
      const { client, network } = createClient({ requestTimeoutMs: 1_000, connectTimeoutMs: 0 });
      const pending = outcome(client.publish('lobby', 1));

      // Act
      await vi.advanceTimersByTimeAsync(5_000);
      network.latest.open();
      network.latest.reply(network.latest.last('publish'), {
        type: 'published',
        channel: 'lobby',
        seq: 1,
        delivered: 0,
      });

      // Assess
      expect(await pending).toEqual({ ok: true, value: { seq: 1, delivered: 0 } });
    });
  });

  describe('offline queue', () => {
    it('sends requests made while connecting, in order, once the socket opens', async () => {
      // Prepare
      const { client, network } = createClient();
      void outcome(client.publish('lobby', 'a'));
      void outcome(client.publish('lobby', 'b'));
      void outcome(client.ping());

      // Act
      network.latest.open();

      // Assess
      expect(network.latest.frames.map((frame) => frame.data ?? frame.action)).toEqual(['a', 'b', 'ping']);
    });

    it('rejects requests beyond maxSize with QUEUE_FULL and keeps the others', async () => {
      // Prepare
      const { client, network } = createClient({ offlineQueue: { maxSize: 2 } });
      const first = outcome(client.publish('lobby', 1));
      const second = outcome(client.publish('lobby', 2));

      // Act
      const third = rejectionCode(client.publish('lobby', 3));
      network.latest.open();

      // Assess
      expect(await third).toBe('QUEUE_FULL');
      expect(network.latest.framesOf('publish').map((frame) => frame.data)).toEqual([1, 2]);
      void first;
      void second;
    });

    it('rejects at once with DISCONNECTED when maxSize is 0', async () => {
      // Prepare
      const { client, network } = createClient({ offlineQueue: { maxSize: 0 } });

      // Act
      const code = await rejectionCode(client.publish('lobby', 1));
      network.latest.open();

      // Assess
      expect(code).toBe('DISCONNECTED');
      expect(network.latest.sent).toEqual([]);
    });

    it('queues requests made while reconnecting and sends them after the re-subscribes', async () => {
      // Prepare
      const { client, network } = createClient({ random: () => 0 });
      network.latest.open();
      void outcome(client.subscribe('lobby'));
      network.latest.reply(network.latest.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 3,
      });
      await flush();
      network.latest.drop();
      void outcome(client.publish('lobby', 'while away'));

      // Act
      await flush();
      network.latest.open();

      // Assess
      expect(network.latest.frames.map((frame) => frame.action)).toEqual(['subscribe', 'publish']);
    });
  });

  describe('frame size', () => {
    it('refuses a frame over 32 KB (UTF-8 bytes) without sending it', async () => {
      // Prepare
      const { client, socket } = openClient();
      const data = '€'.repeat(11_000); // 11,000 characters, 33,000 bytes

      // Act
      const result = await outcome(client.publish('lobby', data));

      // Assess
      expect(result).toMatchObject({ ok: false, error: { code: 'FRAME_TOO_LARGE' } });
      expect(result.ok ? '' : String((result.error as Error).message)).toMatch(/33\d{3} bytes/);
      expect(socket.sent).toEqual([]);
      expect(socket.readyState).toBe(1);
    });

    it('sends a frame of exactly 32 KB', async () => {
      // Prepare
      const { client, socket } = openClient();
      const overhead = JSON.stringify({ action: 'sendmessage', data: '', id: 'xxxxxx-1' }).length;

      // Act
      await client.broadcast('a'.repeat(MAX_FRAME_BYTES - overhead));

      // Assess
      expect(socket.sent[0]).toHaveLength(MAX_FRAME_BYTES);
    });
  });

  describe('drops', () => {
    it('rejects requests in flight with DISCONNECTED when the socket drops', async () => {
      // Prepare
      const { client, socket } = openClient();
      const pending = rejectionCode(client.publish('lobby', 1));

      // Act
      socket.drop(1006);

      // Assess
      expect(await pending).toBe('DISCONNECTED');
    });

    it('resolves unsubscribe when the socket drops before its ack (the server forgets the connection anyway)', async () => {
      // Prepare
      const { client, socket } = openClient();
      void outcome(client.subscribe('lobby'));
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
      await flush();
      const pending = outcome(client.unsubscribe('lobby'));
      await flush();

      // Act
      socket.drop();

      // Assess
      expect(await pending).toEqual({ ok: true, value: undefined });
    });
  });

  describe('#close', () => {
    it('rejects pending and queued requests and a pending subscribe with CLOSED, and never reconnects', async () => {
      // Prepare
      const { client, network, states } = createClient();
      const queued = rejectionCode(client.publish('lobby', 'queued'));
      const subscribing = rejectionCode(client.subscribe('lobby'));
      network.latest.open();
      const inFlight = rejectionCode(client.ping());

      // Act
      client.close();
      await vi.advanceTimersByTimeAsync(120_000);

      // Assess
      expect(await queued).toBe('CLOSED'); // sent on open, so in flight
      expect(await inFlight).toBe('CLOSED');
      expect(await subscribing).toBe('CLOSED');
      expect(network.latest.closedWith).toEqual({ code: 1000, reason: 'client closed' });
      expect(network.sockets).toHaveLength(1);
      expect(states).toEqual(['open', 'closed']);
      expect(client.state).toBe('closed');
    });

    it('rejects requests queued while connecting with CLOSED', async () => {
      // Prepare
      const { client } = createClient();
      const queued = rejectionCode(client.publish('lobby', 1));

      // Act
      client.close();

      // Assess
      expect(await queued).toBe('CLOSED');
    });

    it('rejects every later call with CLOSED and is idempotent', async () => {
      // Prepare
      const { client, states } = createClient();
      client.close();

      // Act
      client.close();

      // Assess
      expect(await rejectionCode(client.publish('lobby', 1))).toBe('CLOSED');
      expect(await rejectionCode(client.subscribe('lobby'))).toBe('CLOSED');
      expect(states).toEqual(['closed']);
    });

    it('closes a socket that opens after close() at once', () => {
      // Prepare
      const { client, network } = createClient();
      const socket = network.latest;
      client.close();

      // Act
      socket.open();

      // Assess
      expect(socket.closedWith?.code).toBe(1000);
    });
  });
});
