import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, RealtimeError, type WebSocketConstructor } from '../../../client/index.js';
import { closeClients, createClient, flush, rejectionCode, TEST_URL } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('RealtimeClient: connection', () => {
  it('connects to the URL with clientId, name and token as query parameters', () => {
    // Prepare & Act
    const { network } = createClient({ clientId: 'c1', name: 'Ann Lee', token: 'h.p.s' });

    // Assess
    expect(network.latest.url).toBe(`${TEST_URL}?clientId=c1&name=Ann%20Lee&token=h.p.s`);
  });

  it('sends the token as Sec-WebSocket-Protocol realtime, bearer.<jwt> with tokenTransport subprotocol', () => {
    // Prepare & Act
    const { network } = createClient({ clientId: 'c1', token: 'h.p.s', tokenTransport: 'subprotocol' });

    // Assess
    expect(network.latest.url).toBe(`${TEST_URL}?clientId=c1`);
    expect(network.latest.protocols).toEqual(['realtime', 'bearer.h.p.s']);
  });

  it('asks for no subprotocol without a token, and refuses an unknown transport', () => {
    // Prepare & Act
    const { network } = createClient({ tokenTransport: 'subprotocol' });

    // Assess
    expect(network.latest.protocols).toBeUndefined();
    expect(() =>
      connect(TEST_URL, { WebSocket: network.WebSocket, tokenTransport: 'header' as 'query' }),
    ).toThrow("tokenTransport must be 'query' or 'subprotocol', got \"header\"");
  });

  it('goes connecting → open → reconnecting → open → closed', async () => {
    // Prepare
    const { client, network, states } = createClient();
    const initial = client.state;

    // Act
    network.latest.open();
    network.latest.drop(1001, 'Going away');
    await vi.advanceTimersByTimeAsync(30_000);
    network.latest.open();
    client.close();

    // Assess
    expect(initial).toBe('connecting');
    expect(states).toEqual(['open', 'reconnecting', 'open', 'closed']);
    expect(client.state).toBe('closed');
  });

  it('reconnects after a drop once the backoff delay has passed, and reports why', async () => {
    // Prepare
    const { network, stateInfo } = createClient({ random: () => 0.5 });
    network.latest.open();

    // Act
    network.latest.drop(1006);
    await vi.advanceTimersByTimeAsync(249);
    const before = network.sockets.length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(before).toBe(1);
    expect(network.sockets).toHaveLength(2);
    expect(stateInfo[1]).toEqual({ previous: 'open', closeCode: 1006, closeReason: '', retryInMs: 250 });
  });

  it('retries a failed first attempt (connecting → reconnecting)', async () => {
    // Prepare
    const { network, states } = createClient({ random: () => 0 });

    // Act
    network.latest.refuse();
    await flush();
    network.latest.open();

    // Assess
    expect(network.sockets).toHaveLength(2);
    expect(states).toEqual(['reconnecting', 'open']);
  });

  describe('backoff', () => {
    /** Refuses every handshake and returns the delays between attempts. */
    const delaysBetweenAttempts = async (random: () => number, attempts: number): Promise<number[]> => {
      const { network } = createClient({
        random,
        reconnect: { initialDelayMs: 500, maxDelayMs: 4_000, multiplier: 2 },
      });
      network.onSocket = (socket) => setTimeout(() => socket.refuse(), 0);
      setTimeout(() => network.latest.refuse(), 0);
      while (network.sockets.length < attempts) {
        await vi.advanceTimersByTimeAsync(100);
      }
      const times = network.sockets.map((socket) => socket.createdAt);
      return times.slice(1).map((time, index) => time - (times[index] ?? 0));
    };

    it('waits 0 ms when the random draw is 0 (full jitter)', async () => {
      // Prepare
      const { network, stateInfo } = createClient({ random: () => 0 });

      // Act
      network.latest.refuse();
      await flush();

      // Assess
      expect(stateInfo[0]?.retryInMs).toBe(0);
      expect(network.sockets).toHaveLength(2);
    });

    it('waits up to the cap, which doubles per attempt and stops at maxDelayMs, when the draw is 0.999', async () => {
      // Act
      const delays = await delaysBetweenAttempts(() => 0.999, 7);

      // Assess: the cap doubles 500 → 1000 → 2000 → 4000 and stays (timers advance in 100 ms steps)
      const caps = delays.map((delay) => Math.ceil(delay / 100) * 100);
      expect(caps).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000]);
    });

    it('starts over after a connection that stayed open for stableAfterMs', async () => {
      // Prepare
      const { network, stateInfo } = createClient({
        random: () => 0.999,
        reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, stableAfterMs: 10_000 },
      });
      network.latest.refuse();
      await vi.advanceTimersByTimeAsync(500);
      network.latest.refuse();
      await vi.advanceTimersByTimeAsync(1_000);
      network.latest.open();

      // Act
      await vi.advanceTimersByTimeAsync(10_000);
      network.latest.drop();

      // Assess
      expect(stateInfo.at(-1)?.retryInMs).toBeCloseTo(499.5);
    });

    it('keeps growing after a connection that dropped quickly', async () => {
      // Prepare
      const { network, stateInfo } = createClient({
        random: () => 0.999,
        reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, stableAfterMs: 10_000 },
      });
      network.latest.refuse();
      await vi.advanceTimersByTimeAsync(500);
      network.latest.refuse();
      await vi.advanceTimersByTimeAsync(1_000);
      network.latest.open();

      // Act
      await vi.advanceTimersByTimeAsync(9_000);
      network.latest.drop();

      // Assess
      expect(stateInfo.at(-1)?.retryInMs).toBeCloseTo(1_998);
    });
  });

  it('abandons a handshake that does not complete within connectTimeoutMs and tries again', async () => {
    // Prepare
    const { network } = createClient({ connectTimeoutMs: 5_000, random: () => 0 });
    const first = network.latest;

    // Act
    await vi.advanceTimersByTimeAsync(5_001);

    // Assess
    expect(first.closedWith).toEqual({ code: 4000, reason: 'connect timeout' });
    expect(network.sockets).toHaveLength(2);
  });

  it('stays closed after a drop when reconnect is false, and rejects what was pending', async () => {
    // Prepare
    const { client, network, states } = createClient({ reconnect: false });
    network.latest.open();
    const pending = rejectionCode(client.publish('lobby', 1));

    // Act
    network.latest.drop(1001);
    await vi.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(await pending).toBe('DISCONNECTED');
    expect(states).toEqual(['open', 'closed']);
    expect(network.sockets).toHaveLength(1);
    await expect(client.ping()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('asks a token function for a fresh token before every attempt', async () => {
    // Prepare
    let n = 0;
    const token = vi.fn(async () => {
      n += 1;
      return `jwt-${n}`;
    });
    const { network } = createClient({ token, random: () => 0 });
    await flush();
    network.latest.open();

    // Act
    network.latest.drop();
    await flush();

    // Assess
    expect(network.sockets.map((socket) => new URL(socket.url).searchParams.get('token'))).toEqual([
      'jwt-1',
      'jwt-2',
    ]);
  });

  it('reports TOKEN_ERROR and retries with backoff when the token function fails', async () => {
    // Prepare
    const token = vi.fn().mockRejectedValueOnce(new Error('expired')).mockResolvedValue('ok');

    // Act
    const { network, errors, states } = createClient({ token, random: () => 0 });
    await flush();
    await flush();

    // Assess
    expect(errors.map((error) => error.code)).toEqual(['TOKEN_ERROR']);
    expect(states).toEqual(['reconnecting']);
    expect(network.sockets).toHaveLength(1);
    expect(network.latest.url).toContain('token=ok');
  });

  describe('options', () => {
    it('fails fast without a WebSocket constructor, naming the fix for Node 20', () => {
      vi.stubGlobal('WebSocket', undefined);
      expect(() => connect(TEST_URL)).toThrow(/pass one, e\.g\. connect\(url, \{ WebSocket \}\)/);
    });

    it.each([
      [
        { reconnect: { initialDelayMs: 5_000, maxDelayMs: 1_000 } },
        /maxDelayMs \(1000\) must be >= .*\(5000\)/,
      ],
      [{ reconnect: { multiplier: 0.5 } }, /multiplier must be a number >= 1, got 0.5/],
      [{ requestTimeoutMs: -1 }, /requestTimeoutMs must be a finite number >= 0, got -1/],
      [{ offlineQueue: { maxSize: 1.5 } }, /offlineQueue.maxSize must be an integer >= 0, got 1.5/],
    ])('rejects %o with a message that shows the value', (options, message) => {
      const { network } = createClient();
      expect(() => connect(TEST_URL, { WebSocket: network.WebSocket, ...options })).toThrow(message);
    });

    it('rejects a URL that is not ws(s)', () => {
      const { network } = createClient();
      expect(() => connect('ftp://x', { WebSocket: network.WebSocket })).toThrow(TypeError);
    });
  });

  it('reports a WebSocket constructor that throws as SOCKET_ERROR and retries', async () => {
    // Prepare
    let calls = 0;
    const Failing = class {
      constructor() {
        calls += 1;
        throw new Error('boom');
      }
    } as unknown as WebSocketConstructor;
    const errors: RealtimeError[] = [];

    // Act
    const client = connect(TEST_URL, { WebSocket: Failing, random: () => 0 });
    client.on('error', (error) => errors.push(error));
    await vi.advanceTimersByTimeAsync(10);
    client.close();

    // Assess
    expect(calls).toBeGreaterThan(1);
    expect(errors[0]).toBeInstanceOf(RealtimeError);
    expect(errors[0]?.code).toBe('SOCKET_ERROR');
  });
});
