import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageEnvelope } from '../../../client/index.js';
import { closeClients, createClient, createServedClient, flush, outcome } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const MAX = 6_900_000;

const envelope = (seq: number): MessageEnvelope => ({
  type: 'message',
  channel: 'lobby',
  data: seq,
  from: 'c',
  seq,
  sentAt: 0,
});

describe('RealtimeClient: proactive reconnect before the 2-hour limit', () => {
  it('opens a second socket at maxConnectionMs (default 1 h 55 min) while the first stays in use', async () => {
    // Prepare
    const { network, states } = createClient({ heartbeatIntervalMs: 0 });
    network.latest.open();

    // Act
    await vi.advanceTimersByTimeAsync(MAX - 1);
    const before = network.sockets.length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(before).toBe(1);
    expect(network.sockets).toHaveLength(2);
    expect(network.sockets[0]?.closedWith).toBeUndefined();
    expect(states).toEqual(['open']);
  });

  it('re-subscribes on the new socket with since, then closes the old one, delivering everything once', async () => {
    // Prepare
    const { client, network } = createClient({ heartbeatIntervalMs: 0 });
    const old = network.latest;
    old.open();
    const delivered: number[] = [];
    void client.subscribe('lobby', { onMessage: (m) => delivered.push(m.seq) });
    old.reply(old.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
    await flush();
    old.deliver(envelope(1));
    await vi.advanceTimersByTimeAsync(MAX);
    const fresh = network.latest;

    // Act: the old socket keeps delivering while the new one subscribes
    fresh.open();
    old.deliver(envelope(2));
    fresh.deliver(envelope(3));
    old.deliver(envelope(3));
    const beforeAck = old.closedWith;
    fresh.reply(fresh.last('subscribe'), {
      type: 'subscribed',
      channel: 'lobby',
      seq: 3,
      messages: [envelope(2), envelope(3)],
      recovered: true,
    });
    await flush();
    fresh.deliver(envelope(4));

    // Assess
    expect(fresh.last('subscribe')).toMatchObject({ channel: 'lobby', since: 1 });
    expect(beforeAck).toBeUndefined();
    expect(old.closedWith).toEqual({ code: 1000, reason: 'replaced' });
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('lets requests in flight on the old socket finish before closing it, and sends new ones on the new socket', async () => {
    // Prepare
    const { client, network } = createClient({ heartbeatIntervalMs: 0 });
    const old = network.latest;
    old.open();
    await vi.advanceTimersByTimeAsync(MAX - 10);
    const inFlight = outcome(client.publish('lobby', 'old'));
    await vi.advanceTimersByTimeAsync(10);
    const fresh = network.latest;

    // Act
    fresh.open();
    const later = outcome(client.publish('lobby', 'new'));
    await flush();
    const closedEarly = old.closedWith;
    old.reply(old.last('publish'), { type: 'published', channel: 'lobby', seq: 1, delivered: 0 });

    // Assess
    expect(await inFlight).toEqual({ ok: true, value: { seq: 1, delivered: 0 } });
    expect(closedEarly).toBeUndefined();
    expect(old.closedWith?.reason).toBe('replaced');
    expect(fresh.last('publish').data).toBe('new');
    void later;
  });

  it('closes the old socket after the drain timeout even if a reply never comes', async () => {
    // Prepare
    const { client, network } = createClient({ heartbeatIntervalMs: 0, requestTimeoutMs: 5_000 });
    const old = network.latest;
    old.open();
    await vi.advanceTimersByTimeAsync(MAX - 10);
    const inFlight = outcome(client.publish('lobby', 'lost'));
    await vi.advanceTimersByTimeAsync(10);

    // Act
    network.latest.open();
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(old.closedWith?.reason).toBe('replaced');
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
  });

  it('rejects with DISCONNECTED what is still unanswered on the old socket when the drain ends', async () => {
    // Prepare: no request timeout, so only the drain (30 s then) ends the wait
    const { client, network } = createClient({ heartbeatIntervalMs: 0, requestTimeoutMs: 0 });
    const old = network.latest;
    old.open();
    await vi.advanceTimersByTimeAsync(MAX - 10);
    const inFlight = outcome(client.publish('lobby', 'lost'));
    await vi.advanceTimersByTimeAsync(10);

    // Act
    network.latest.open();
    await vi.advanceTimersByTimeAsync(30_000);

    // Assess
    expect(old.closedWith?.reason).toBe('replaced');
    expect(await Promise.race([inFlight, flush().then(() => 'still pending')])).toMatchObject({
      ok: false,
      error: { code: 'DISCONNECTED' },
    });
  });

  it('keeps using the old socket when the new one fails, and tries again', async () => {
    // Prepare
    const { client, network, states } = createClient({ heartbeatIntervalMs: 0, random: () => 0 });
    const old = network.latest;
    old.open();
    await vi.advanceTimersByTimeAsync(MAX);

    // Act
    network.latest.refuse();
    const during = outcome(client.publish('lobby', 'still here'));
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(old.last('publish').data).toBe('still here');
    expect(network.sockets).toHaveLength(3);
    expect(states).toEqual(['open']);
    void during;
  });

  it('turns the pending new socket into the reconnect when the old one drops meanwhile', async () => {
    // Prepare
    const { network, states } = createClient({ heartbeatIntervalMs: 0 });
    network.latest.open();
    await vi.advanceTimersByTimeAsync(MAX);
    const fresh = network.latest;

    // Act
    network.sockets[0]?.drop(1001, 'Going away');
    fresh.open();

    // Assess
    expect(network.sockets).toHaveLength(2);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('carries one heartbeat and one rotation timer over to each new socket, not one more per rotation', async () => {
    // Prepare
    const { client, network } = createClient({ heartbeatIntervalMs: 20_000, maxConnectionMs: 60_000 });
    network.onSocket = (socket) => {
      setTimeout(() => socket.open(), 10);
      socket.onSend = (frame, s) => setTimeout(() => s.reply(frame, { type: 'pong' }), 5);
    };
    network.latest.open();
    await vi.advanceTimersByTimeAsync(61_000);
    const afterOne = vi.getTimerCount();

    // Act
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    // Assess
    expect(network.sockets).toHaveLength(12);
    expect(vi.getTimerCount()).toBe(afterOne);
    expect(network.latest.framesOf('ping').length).toBeLessThanOrEqual(3);
    void client;
  });

  it('loses nothing under continuous publishing across several rotations (scripted server)', async () => {
    // Prepare
    const { client, server, network } = await createServedClient(
      { heartbeatIntervalMs: 0, maxConnectionMs: 60_000 },
      { openAfterMs: 30, latencyMs: 5 },
    );
    const delivered: number[] = [];
    const ready = client.subscribe('lobby', { onMessage: (m) => delivered.push(m.seq) });
    await vi.advanceTimersByTimeAsync(10);
    await ready;

    // Act: one message every 100 ms for 5 minutes (5 rotations)
    for (let n = 1; n <= 3_000; n += 1) {
      server.publish('lobby', n);
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(network.sockets).toHaveLength(6);
    expect(network.sockets.slice(0, 5).every((socket) => socket.closedWith?.reason === 'replaced')).toBe(
      true,
    );
    expect(delivered).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
  });
});
