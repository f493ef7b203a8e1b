import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type BaselineServer, startBaselineServer } from '../../bench/realtime/baseline-server.js';
import { runRound } from '../../bench/realtime/delivery.js';
import { type Fleet, openFleet, RETRY_CAP_MS, retryDelayMs } from '../../bench/realtime/fleet.js';
import { DEFAULT_OPTIONS } from '../../bench/realtime/options.js';
import { runScenario } from '../../bench/realtime/scenarios.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function baseline(): Promise<BaselineServer> {
  const server = await startBaselineServer();
  cleanups.push(() => server.close());
  return server;
}

async function fleetOf(url: string, count: number): Promise<Fleet> {
  const fleet = await openFleet({ url, count, concurrency: 2, timeoutMs: 5000 });
  cleanups.push(() => fleet.close(1000));
  return fleet;
}

async function listening(server: Server): Promise<string> {
  // A client that gives up mid-handshake resets its socket; that reset is the client's doing, not a failure here.
  server.on('connection', (socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const options = { ...DEFAULT_OPTIONS, messages: 3, phaseTimeoutMs: 5000, idleTimeoutMs: 2000 };

describe('runScenario against the plain ws baseline', () => {
  it('delivers every broadcast message to every client, sender included', async () => {
    const server = await baseline();

    const result = await runScenario({ kind: 'baseline', ...server }, 'broadcast', 4, options, () => {});

    expect(result.setup).toMatchObject({ opened: 4, failed: 0 });
    expect(result.delivery).toMatchObject({
      expected: 12,
      delivered: 12,
      duplicates: 0,
      outcomes: ['complete'],
    });
    expect(result.delivery.latencyMs.p99).not.toBeNull();
    expect(result.leftOpen).toBe(0);
  });

  it('subscribes every client before publishing, and counts channel messages only', async () => {
    const server = await baseline();

    const result = await runScenario({ kind: 'baseline', ...server }, 'publish', 3, options, () => {});

    expect(result.subscribe).toMatchObject({ acked: 3, expected: 3, outcome: 'complete' });
    expect(result.delivery).toMatchObject({ expected: 9, delivered: 9, duplicates: 0 });
  });
});

describe('runRound', () => {
  it('reports what arrived instead of hanging when the server never delivers', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
    await new Promise((resolve) => silent.once('listening', resolve));
    const fleet = await fleetOf(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, 2);
    const sender = fleet.clients[0];

    const result = await runRound({
      fleet,
      run: 'r',
      messages: 2,
      payloadBytes: 1,
      send: (data) => sender?.send(JSON.stringify({ action: 'sendmessage', data })),
      timeoutMs: 300,
      idleMs: 10_000,
    });

    expect(result).toMatchObject({ expected: 4, delivered: 0, elapsedMs: 0, outcome: 'deadline' });
  });
});

describe('openFleet', () => {
  it('counts rejected handshakes as failures with their status instead of throwing', async () => {
    const url = await listening(
      createServer().on('upgrade', (_request, socket) => {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      }),
    );

    const fleet = await fleetOf(url, 3);

    expect(fleet.setup).toMatchObject({ attempted: 3, opened: 0, failed: 3, errors: ['HTTP 401'] });
  });
});

describe('openFleet under throttling', () => {
  it('retries a handshake refused with 429 until it opens, and counts the retries', async () => {
    const wss = new WebSocketServer({ noServer: true });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    let refusals = 3;
    const url = await listening(
      createServer().on('upgrade', (request, socket, head) => {
        if (refusals > 0) {
          refusals -= 1;
          socket.end('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(request, socket, head, () => {});
      }),
    );

    const fleet = await fleetOf(url, 2);

    expect(fleet.setup).toMatchObject({ attempted: 2, opened: 2, failed: 0, throttled: 3, errors: [] });
  });

  it('gives up on a throttled handshake at the phase deadline instead of retrying forever', async () => {
    const url = await listening(
      createServer().on('upgrade', (_request, socket) => {
        socket.end('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n');
      }),
    );

    const started = performance.now();
    const fleet = await openFleet({ url, count: 1, concurrency: 1, timeoutMs: 400 });
    cleanups.push(() => fleet.close(100));

    expect(performance.now() - started).toBeLessThan(2000);
    expect(fleet.setup).toMatchObject({ opened: 0, failed: 1 });
    expect(fleet.setup.throttled).toBeGreaterThan(0);
    // Which of the two ends it depends on timing: the deadline check between retries, or the last retry's
    // handshake running into the same deadline (its timeout) on a busy machine.
    expect(fleet.setup.errors).toHaveLength(1);
    expect(fleet.setup.errors[0]).toMatch(
      /^(phase deadline reached while retrying a throttled handshake|Opening handshake has timed out)$/,
    );
  });

  it('keeps many handshakes in flight at once, up to the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const wss = new WebSocketServer({ noServer: true });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    const url = await listening(
      createServer().on('upgrade', (request, socket, head) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // Hold each handshake a moment, as a `$connect` Lambda would.
        setTimeout(() => {
          inFlight -= 1;
          wss.handleUpgrade(request, socket, head, () => {});
        }, 50);
      }),
    );

    const fleet = await openFleet({ url, count: 30, concurrency: 10, timeoutMs: 5000 });
    cleanups.push(() => fleet.close(1000));

    expect(fleet.setup.opened).toBe(30);
    expect(most).toBe(10);
  });
});

describe('retryDelayMs', () => {
  it('doubles from 100 ms per attempt, scaled by a jitter in [0.5, 1)', () => {
    expect(retryDelayMs(1, () => 0)).toBe(50);
    expect(retryDelayMs(1, () => 0.999_999)).toBeCloseTo(100, 3);
    expect(retryDelayMs(3, () => 1)).toBe(400);
  });

  it('never waits more than the cap', () => {
    expect(retryDelayMs(30, () => 1)).toBe(RETRY_CAP_MS);
    expect(RETRY_CAP_MS).toBe(2000);
  });
});
