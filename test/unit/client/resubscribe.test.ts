import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageEnvelope, ResetInfo } from '../../../client/index.js';
import type { FakeSocket } from './support/fake-websocket.js';
import {
  closeClients,
  createClient,
  createServedClient,
  flush,
  outcome,
  rejectionCode,
} from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const envelope = (seq: number, channel = 'lobby'): MessageEnvelope => ({
  type: 'message',
  channel,
  data: `m${seq}`,
  from: 'conn-x',
  author: { clientId: 'x' },
  seq,
  sentAt: 1_000 + seq,
});

const envelopes = (from: number, to: number, channel = 'lobby'): MessageEnvelope[] =>
  Array.from({ length: to - from + 1 }, (_, i) => envelope(from + i, channel));

/**
 * A client subscribed to `lobby` on an open socket, positioned after `lastSeq` (the first ack said seq =
 * lastSeq), recording the seqs it delivers.
 */
const subscribedClient = async (lastSeq: number, options: Parameters<typeof createClient>[0] = {}) => {
  const harness = createClient({ random: () => 0, ...options });
  const delivered: number[] = [];
  const resets: ResetInfo[] = [];
  const socket = harness.network.latest;
  socket.open();
  const subscription = harness.client.subscribe('lobby', {
    onMessage: (message) => delivered.push(message.seq),
    onReset: (info) => resets.push(info),
  });
  socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: lastSeq });
  await flush();
  return { ...harness, delivered, resets, subscription: await subscription };
};

/** Drops the socket and opens the next one; returns it. */
const reconnect = async (network: { latest: FakeSocket }): Promise<FakeSocket> => {
  network.latest.drop(1006);
  await flush();
  const next = network.latest;
  next.open();
  return next;
};

describe('RealtimeClient: subscriptions and resume', () => {
  describe('first subscribe', () => {
    it('resolves with a handle positioned at the ack seq and delivers live messages after it', async () => {
      // Prepare
      const { network, delivered, subscription } = await subscribedClient(40);

      // Act
      network.latest.deliver(envelope(40)); // published before the subscribe took effect
      network.latest.deliver(envelope(41));

      // Assess
      expect(subscription.channel).toBe('lobby');
      expect(subscription.active).toBe(true);
      expect(delivered).toEqual([41]);
      expect(subscription.lastSeq).toBe(41);
    });

    it('asks for history and delivers it oldest first, then the live messages that raced the ack', async () => {
      // Prepare
      const { client, network } = createClient();
      const socket = network.latest;
      socket.open();
      const delivered: unknown[] = [];
      const ready = client.subscribe('lobby', { history: 20, onMessage: (m) => delivered.push(m.data) });

      // Act
      socket.deliver(envelope(4));
      socket.reply(socket.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 3,
        messages: [envelope(3), envelope(1), envelope(2)],
      });
      await ready;

      // Assess
      expect(socket.last('subscribe')).toMatchObject({ channel: 'lobby', history: 20 });
      expect(delivered).toEqual(['m1', 'm2', 'm3', 'm4']);
    });

    it('waits for the connection when called while connecting, without using the offline queue', async () => {
      // Prepare
      const { client, network } = createClient({ offlineQueue: { maxSize: 0 } });
      const ready = outcome(client.subscribe('lobby'));

      // Act
      network.latest.open();
      network.latest.reply(network.latest.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 0,
      });

      // Assess
      expect(await ready).toMatchObject({ ok: true });
    });

    it('starts at the first message when the ack carries no seq (a server that predates seq in acks)', async () => {
      // Prepare
      const { client, network, errors } = createClient();
      network.latest.open();
      const delivered: number[] = [];
      const ready = client.subscribe('lobby', { onMessage: (m) => delivered.push(m.seq) });
      network.latest.reply(network.latest.last('subscribe'), { type: 'subscribed', channel: 'lobby' });
      await ready;

      // Act
      network.latest.deliver(envelope(7));
      network.latest.deliver(envelope(8));

      // Assess
      expect(delivered).toEqual([7, 8]);
      expect(errors).toEqual([]);
    });

    it("rejects with the server's code and forgets the channel", async () => {
      // Prepare
      const { client, network } = createClient();
      network.latest.open();
      const ready = rejectionCode(client.subscribe('no spaces'));

      // Act
      network.latest.reply(network.latest.last('subscribe'), {
        type: 'error',
        code: 'INVALID_CHANNEL',
        message: 'bad',
      });

      // Assess
      expect(await ready).toBe('INVALID_CHANNEL');
      expect(client.subscription('no spaces')).toBeUndefined();
    });

    it.each([[0], [1.5], [-3]])(
      'rejects history: %s with INVALID_REQUEST without sending anything',
      async (history) => {
        // Prepare
        const { client, network } = createClient();
        network.latest.open();

        // Act
        const code = await rejectionCode(client.subscribe('lobby', { history }));

        // Assess
        expect(code).toBe('INVALID_REQUEST');
        expect(network.latest.sent).toEqual([]);
        expect(client.subscription('lobby')).toBeUndefined();
      },
    );

    it('rejects a second subscribe to the same channel with ALREADY_SUBSCRIBED', async () => {
      // Prepare
      const { client } = await subscribedClient(0);

      // Act & Assess
      expect(await rejectionCode(client.subscribe('lobby'))).toBe('ALREADY_SUBSCRIBED');
    });

    it('is re-sent on the next socket when the first drops before the ack, with history again', async () => {
      // Prepare
      const { client, network } = createClient({ random: () => 0 });
      network.latest.open();
      const ready = outcome(client.subscribe('lobby', { history: true }));

      // Act
      const next = await reconnect(network);
      next.reply(next.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0, messages: [] });

      // Assess
      expect(next.last('subscribe')).toMatchObject({ history: true });
      expect(next.last('subscribe')).not.toHaveProperty('since');
      expect(await ready).toMatchObject({ ok: true });
    });
  });

  describe('resubscribe on reconnect', () => {
    it('re-subscribes every channel with since = the last seq delivered', async () => {
      // Prepare
      const { client, network, delivered } = await subscribedClient(10);
      const socket = network.latest;
      void client.subscribe('news');
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'news', seq: 0 });
      await flush();
      socket.deliver(envelope(11));
      socket.deliver(envelope(12));

      // Act
      const next = await reconnect(network);

      // Assess
      expect(delivered).toEqual([11, 12]);
      expect(next.framesOf('subscribe').map(({ channel, since }) => ({ channel, since }))).toEqual([
        { channel: 'lobby', since: 12 },
        { channel: 'news', since: 0 },
      ]);
    });

    it('delivers the missed messages, then the live ones buffered meanwhile, once each and in seq order', async () => {
      // Prepare
      const { network, delivered } = await subscribedClient(10);
      const next = await reconnect(network);
      const request = next.last('subscribe');

      // Act: live frames race the ack, one of them also in the ack
      next.deliver(envelope(14));
      next.deliver(envelope(13));
      const beforeAck = [...delivered];
      next.reply(request, {
        type: 'subscribed',
        channel: 'lobby',
        seq: 13,
        messages: envelopes(11, 13),
        recovered: true,
      });
      await flush();
      next.deliver(envelope(14));
      next.deliver(envelope(15));

      // Assess
      expect(beforeAck).toEqual([]);
      expect(delivered).toEqual([11, 12, 13, 14, 15]);
    });

    it('pages with the history action while the ack says more, before releasing the buffer', async () => {
      // Prepare
      const { network, delivered } = await subscribedClient(10);
      const next = await reconnect(network);

      // Act
      next.deliver(envelope(17));
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 16,
        messages: envelopes(11, 12),
        recovered: true,
        more: true,
      });
      await flush();
      const firstPage = next.last('history');
      next.reply(firstPage, {
        type: 'history',
        channel: 'lobby',
        seq: 17,
        messages: envelopes(13, 14),
        recovered: true,
        more: true,
      });
      await flush();
      const secondPage = next.last('history');
      const beforeLastPage = [...delivered];
      next.reply(secondPage, {
        type: 'history',
        channel: 'lobby',
        seq: 17,
        messages: envelopes(15, 16),
        recovered: true,
        more: false,
      });
      await flush();

      // Assess
      expect(firstPage).toMatchObject({ action: 'history', channel: 'lobby', since: 12 });
      expect(secondPage).toMatchObject({ since: 14 });
      expect(beforeLastPage).toEqual([]);
      expect(delivered).toEqual([11, 12, 13, 14, 15, 16, 17]);
    });

    it('calls onReset and continues from the ack messages when recovered is false', async () => {
      // Prepare
      const { network, delivered, resets } = await subscribedClient(10);
      const next = await reconnect(network);

      // Act
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 500,
        messages: envelopes(401, 500),
        recovered: false,
      });
      await flush();
      next.deliver(envelope(501));

      // Assess
      expect(resets).toEqual([{ channel: 'lobby', lastSeq: 10, seq: 500, reason: 'history-expired' }]);
      expect(delivered).toEqual(Array.from({ length: 101 }, (_, i) => 401 + i));
    });

    it('calls onReset when the server sequence is behind the last seq delivered (the channel started over)', async () => {
      // Prepare
      const { network, delivered, resets } = await subscribedClient(10);
      const next = await reconnect(network);

      // Act
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 2,
        messages: [],
        recovered: true,
      });
      await flush();
      next.deliver(envelope(3));

      // Assess
      expect(resets).toMatchObject([{ lastSeq: 10, seq: 2, reason: 'sequence-restarted' }]);
      expect(delivered).toEqual([3]);
    });

    it('keeps the subscription pending-free: the handle stays the same across reconnects', async () => {
      // Prepare
      const { client, network, subscription } = await subscribedClient(5);

      // Act
      const next = await reconnect(network);
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 5,
        messages: [],
        recovered: true,
      });
      await flush();

      // Assess
      expect(client.subscription('lobby')).toBe(subscription);
      expect(subscription.lastSeq).toBe(5);
    });

    it('retries a re-subscribe that timed out, with backoff, and reports the timeout', async () => {
      // Prepare
      const { network, errors, delivered } = await subscribedClient(10, { requestTimeoutMs: 1_000 });
      const next = await reconnect(network);
      await vi.advanceTimersByTimeAsync(1_000);
      const beforeBackoff = next.framesOf('subscribe').length;

      // Act: random() is 0 in this client, so the retry delay is 0 ms
      await vi.advanceTimersByTimeAsync(1);
      const retry = next.framesOf('subscribe');
      next.reply(retry[1] ?? next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 11,
        messages: [envelope(11)],
        recovered: true,
      });
      await flush();

      // Assess
      expect(errors.map((error) => error.code)).toEqual(['TIMEOUT']);
      expect(beforeBackoff).toBe(1);
      expect(retry).toHaveLength(2);
      expect(retry[1]).toMatchObject({ since: 10 });
      expect(delivered).toEqual([11]);
    });

    it('ends the subscription, calls onError and emits error when a re-subscribe is refused', async () => {
      // Prepare
      const harness = createClient({ random: () => 0 });
      const failures: string[] = [];
      harness.network.latest.open();
      const ready = harness.client.subscribe('lobby', { onError: (error) => failures.push(error.code) });
      harness.network.latest.reply(harness.network.latest.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 0,
      });
      const subscription = await ready;
      const next = await reconnect(harness.network);

      // Act
      next.reply(next.last('subscribe'), { type: 'error', code: 'FORBIDDEN', message: 'token expired' });
      await flush();
      const afterwards = await reconnect(harness.network);

      // Assess
      expect(failures).toEqual(['FORBIDDEN']);
      expect(harness.errors.map((error) => error.code)).toEqual(['FORBIDDEN']);
      expect(subscription.active).toBe(false);
      expect(harness.client.subscription('lobby')).toBeUndefined();
      expect(afterwards.framesOf('subscribe')).toEqual([]);
    });
  });

  describe('gaps in live delivery', () => {
    it('waits for an out-of-order message without reading history', async () => {
      // Prepare
      const { network, delivered } = await subscribedClient(10, { gapTimeoutMs: 1_000 });

      // Act
      network.latest.deliver(envelope(12));
      await vi.advanceTimersByTimeAsync(500);
      network.latest.deliver(envelope(11));
      await vi.advanceTimersByTimeAsync(2_000);

      // Assess
      expect(delivered).toEqual([11, 12]);
      expect(network.latest.framesOf('history')).toEqual([]);
    });

    it('reads history after gapTimeoutMs when the missing seq does not come', async () => {
      // Prepare
      const { network, delivered } = await subscribedClient(10, { gapTimeoutMs: 1_000 });
      network.latest.deliver(envelope(13));

      // Act
      await vi.advanceTimersByTimeAsync(1_000);
      const request = network.latest.last('history');
      network.latest.reply(request, {
        type: 'history',
        channel: 'lobby',
        seq: 13,
        messages: envelopes(11, 13),
        recovered: true,
        more: false,
      });
      await flush();

      // Assess
      expect(request).toMatchObject({ channel: 'lobby', since: 10 });
      expect(delivered).toEqual([11, 12, 13]);
    });

    it('skips a seq that history does not have after the grace period', async () => {
      // Prepare
      const { network, delivered } = await subscribedClient(10, { gapTimeoutMs: 1_000 });
      network.latest.deliver(envelope(12));

      // Act
      await vi.advanceTimersByTimeAsync(1_000);
      network.latest.reply(network.latest.last('history'), {
        type: 'history',
        channel: 'lobby',
        seq: 12,
        messages: [envelope(12)],
        recovered: true,
        more: false,
      });
      await flush();
      network.latest.deliver(envelope(13));

      // Assess
      expect(delivered).toEqual([12, 13]);
    });

    it('calls onReset when the gap is older than the kept history', async () => {
      // Prepare
      const { network, delivered, resets } = await subscribedClient(10, { gapTimeoutMs: 1_000 });
      network.latest.deliver(envelope(90));

      // Act
      await vi.advanceTimersByTimeAsync(1_000);
      network.latest.reply(network.latest.last('history'), {
        type: 'history',
        channel: 'lobby',
        seq: 90,
        messages: envelopes(80, 90),
        recovered: false,
        more: false,
      });
      await flush();

      // Assess
      expect(resets).toEqual([{ channel: 'lobby', lastSeq: 10, seq: 90, reason: 'history-expired' }]);
      expect(delivered).toEqual(Array.from({ length: 11 }, (_, i) => 80 + i));
    });

    it('releases held messages in order when history cannot be read', async () => {
      // Prepare
      const { network, delivered, errors } = await subscribedClient(10, { gapTimeoutMs: 1_000 });
      network.latest.deliver(envelope(14));
      network.latest.deliver(envelope(12));

      // Act
      await vi.advanceTimersByTimeAsync(1_000);
      network.latest.reply(network.latest.last('history'), {
        type: 'error',
        code: 'UNKNOWN_ACTION',
        message: 'unknown action history',
      });
      await flush();

      // Assess
      expect(delivered).toEqual([12, 14]);
      expect(errors.map((error) => error.code)).toEqual(['UNKNOWN_ACTION']);
    });
  });

  describe('unsubscribe', () => {
    it('stops delivery at once, tells the server, and is not re-subscribed after a reconnect', async () => {
      // Prepare
      const { client, network, delivered, subscription } = await subscribedClient(0);
      const socket = network.latest;

      // Act
      const done = subscription.unsubscribe();
      await flush();
      socket.deliver(envelope(1));
      socket.reply(socket.last('unsubscribe'), { type: 'unsubscribed', channel: 'lobby' });
      await done;
      const next = await reconnect(network);

      // Assess
      expect(delivered).toEqual([]);
      expect(subscription.active).toBe(false);
      expect(client.subscription('lobby')).toBeUndefined();
      expect(next.sent).toEqual([]);
    });

    it('sends a new subscribe only after the unsubscribe before it was acknowledged', async () => {
      // Prepare
      const { client, network } = await subscribedClient(0);
      const socket = network.latest;

      // Act
      const unsubscribed = client.unsubscribe('lobby');
      const resubscribed = outcome(client.subscribe('lobby'));
      await flush();
      const beforeAck = socket.framesOf('subscribe').length;
      socket.reply(socket.last('unsubscribe'), { type: 'unsubscribed', channel: 'lobby' });
      await unsubscribed;
      await flush();

      // Assess
      expect(beforeAck).toBe(1);
      expect(socket.framesOf('subscribe')).toHaveLength(2);
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
      expect(await resubscribed).toMatchObject({ ok: true });
    });

    it('rejects a subscribe still waiting for its first ack with UNSUBSCRIBED', async () => {
      // Prepare
      const { client } = createClient();
      const ready = rejectionCode(client.subscribe('lobby'));

      // Act
      await client.unsubscribe('lobby');

      // Assess
      expect(await ready).toBe('UNSUBSCRIBED');
    });
  });

  it('reports a throwing onMessage as LISTENER_ERROR and keeps delivering', async () => {
    // Prepare
    const { client, network, errors } = createClient();
    network.latest.open();
    const seen: number[] = [];
    void client.subscribe('lobby', {
      onMessage: (message) => {
        seen.push(message.seq);
        if (message.seq === 1) throw new Error('app bug');
      },
    });
    network.latest.reply(network.latest.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
    await flush();

    // Act
    network.latest.deliver(envelope(1));
    network.latest.deliver(envelope(2));

    // Assess
    expect(seen).toEqual([1, 2]);
    expect(errors.map((error) => [error.code, (error.cause as Error).message])).toEqual([
      ['LISTENER_ERROR', 'app bug'],
    ]);
  });

  it('loses nothing and duplicates nothing across many drops (scripted server)', async () => {
    // Prepare
    const { client, network, server } = await createServedClient(
      { random: () => 0.5, reconnect: { stableAfterMs: 100 } },
      { openAfterMs: 50, pageSize: 7 },
    );
    const delivered: number[] = [];
    const ready = client.subscribe('lobby', { onMessage: (message) => delivered.push(message.seq) });
    await flush();
    await ready;

    // Act: 300 publishes, the socket dropped every 37th, messages published while it is down
    for (let n = 1; n <= 300; n += 1) {
      server.publish('lobby', n);
      if (n % 37 === 0) {
        network.latest.drop(1006);
      }
      await vi.advanceTimersByTimeAsync(n % 5 === 0 ? 200 : 1);
    }
    await vi.advanceTimersByTimeAsync(5_000);

    // Assess
    expect(network.sockets).toHaveLength(9);
    expect(server.received.filter(({ frame }) => frame.action === 'history').length).toBeGreaterThan(0);
    expect(delivered).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
