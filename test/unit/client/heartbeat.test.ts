import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeClients, createClient, outcome } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const openClient = (options: Parameters<typeof createClient>[0] = {}) => {
  const harness = createClient({ heartbeatIntervalMs: 300_000, ...options });
  harness.network.latest.open();
  return { ...harness, socket: harness.network.latest };
};

describe('RealtimeClient: heartbeat', () => {
  it('sends {"action":"ping"} after heartbeatIntervalMs with nothing sent', async () => {
    // Prepare
    const { socket } = openClient();

    // Act
    await vi.advanceTimersByTimeAsync(299_999);
    const before = socket.framesOf('ping').length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(before).toBe(0);
    expect(socket.framesOf('ping')).toHaveLength(1);
    expect(socket.last('ping')).toEqual({ action: 'ping', id: expect.any(String) });
  });

  it('sends no ping while other frames keep the connection busy, and counts from the last one sent', async () => {
    // Prepare
    const { client, socket } = openClient({ requestTimeoutMs: 0 });

    // Act: a publish every 4 minutes for 20 minutes
    for (let minute = 4; minute <= 20; minute += 4) {
      await vi.advanceTimersByTimeAsync(240_000);
      void outcome(client.publish('lobby', minute));
    }
    const whileBusy = socket.framesOf('ping').length;
    await vi.advanceTimersByTimeAsync(299_999);
    const justBefore = socket.framesOf('ping').length;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(whileBusy).toBe(0);
    expect(justBefore).toBe(0);
    expect(socket.framesOf('ping')).toHaveLength(1);
  });

  it('keeps pinging every interval while idle, staying under the 10-minute idle timeout', async () => {
    // Prepare
    const { socket } = openClient();
    socket.onSend = (frame, s) => {
      if (frame.action === 'ping') setTimeout(() => s.reply(frame, { type: 'pong' }), 10);
    };

    // Act
    await vi.advanceTimersByTimeAsync(3_600_000);

    // Assess
    expect(socket.framesOf('ping')).toHaveLength(12);
  });

  it('does not count received frames as activity (API Gateway counts what the client sends)', async () => {
    // Prepare
    const { socket } = openClient();

    // Act
    for (let i = 0; i < 10; i += 1) {
      await vi.advanceTimersByTimeAsync(30_000);
      socket.deliver('{"type":"noise"}');
    }

    // Assess
    expect(socket.framesOf('ping')).toHaveLength(1);
  });

  it('replaces the socket when a heartbeat ping gets no pong (half-open connection)', async () => {
    // Prepare
    const { network, socket, states } = openClient({ requestTimeoutMs: 10_000, random: () => 0 });

    // Act
    await vi.advanceTimersByTimeAsync(300_000 + 10_000);
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    expect(states).toEqual(['open', 'reconnecting']);
    expect(network.sockets).toHaveLength(2);
  });

  it('sends no ping when heartbeatIntervalMs is 0', async () => {
    // Prepare
    const { socket } = openClient({ heartbeatIntervalMs: 0 });

    // Act
    await vi.advanceTimersByTimeAsync(3_600_000);

    // Assess
    expect(socket.sent).toEqual([]);
  });
});
