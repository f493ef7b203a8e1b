import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LeaderboardSnapshot, PresenceEvent, PresentClient } from '../../../client/index.js';
import type { FakeSocket } from './support/fake-websocket.js';
import { closeClients, createClient, flush } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const board = (version: number, score = version): Record<string, unknown> => ({
  type: 'leaderboard',
  board: 'game-1',
  version,
  top: [{ rank: 1, player: 'bob', score }],
});

describe('RealtimeClient: frames that are not replies', () => {
  describe('raw frames', () => {
    it('emits frames that are not JSON, not objects, or of no known type as raw, and keeps working', async () => {
      // Prepare
      const { client, network, raw, errors } = createClient();
      const socket = network.latest;
      socket.open();

      // Act
      socket.deliver('hello everyone');
      socket.deliver('{"broken json');
      socket.deliver('42');
      socket.deliver('{"text":"hi from sendmessage"}');
      socket.deliver('{"type":"chat","text":"typed but unknown"}');
      socket.deliverBinary(new Uint8Array([0xff]));
      const ping = client.ping();
      socket.reply(socket.last('ping'), { type: 'pong' });

      // Assess
      expect(raw).toEqual([
        'hello everyone',
        '{"broken json',
        '42',
        '{"text":"hi from sendmessage"}',
        '{"type":"chat","text":"typed but unknown"}',
        new Uint8Array([0xff]),
      ]);
      expect(errors).toEqual([]);
      expect(await ping).toBeGreaterThanOrEqual(0);
    });

    it('treats a malformed message envelope as raw rather than delivering it', async () => {
      // Prepare
      const { client, network, raw } = createClient();
      const socket = network.latest;
      socket.open();
      const seen: unknown[] = [];
      void client.subscribe('lobby', { onMessage: (m) => seen.push(m) });
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
      await flush();

      // Act
      socket.deliver({ type: 'message', channel: 'lobby', data: 1, seq: 'one' });

      // Assess
      expect(seen).toEqual([]);
      expect(raw).toHaveLength(1);
    });
  });

  describe('error frames without a request', () => {
    it.each([
      ['Internal server error', 'GATEWAY_INTERNAL_ERROR'],
      ['Too many requests', 'GATEWAY_THROTTLED'],
      ['Forbidden', 'GATEWAY_FORBIDDEN'],
      ['Something else', 'GATEWAY_ERROR'],
    ])("emits API Gateway's %j as an error event with code %s", (message, code) => {
      // Prepare
      const { network, errors, raw } = createClient();
      network.latest.open();
      const frame = { message, connectionId: 'L0SM9cOFvHcCIhw=', requestId: 'L0SNRFUyPHcFRqQ=' };

      // Act
      network.latest.deliver(frame);

      // Assess
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code, frame, requestId: undefined });
      expect(raw).toEqual([]);
    });

    it('leaves the requests in flight pending (a gateway error cannot be matched to one)', async () => {
      // Prepare
      const { client, network } = createClient({ requestTimeoutMs: 1_000 });
      network.latest.open();
      const pending = client.publish('lobby', 1).catch((error: { code: string }) => error.code);

      // Act
      network.latest.deliver({ message: 'Internal server error', connectionId: 'x', requestId: 'y' });
      await vi.advanceTimersByTimeAsync(1_000);

      // Assess
      expect(await pending).toBe('TIMEOUT');
    });

    it('emits an error frame whose id matches no request as an error event', () => {
      // Prepare
      const { network, errors } = createClient();
      network.latest.open();

      // Act
      network.latest.deliver({ type: 'error', code: 'RATE_LIMITED', message: 'slow down' });
      network.latest.deliver({ type: 'error', code: 'INTERNAL_ERROR', message: 'late', id: 'gone-1' });

      // Assess
      expect(errors.map((error) => [error.code, error.requestId])).toEqual([
        ['RATE_LIMITED', undefined],
        ['INTERNAL_ERROR', 'gone-1'],
      ]);
    });
  });

  describe('leaderboard snapshots', () => {
    const subscribeToBoard = async (ack: Record<string, unknown> = {}) => {
      const harness = createClient({ random: () => 0 });
      const socket = harness.network.latest;
      socket.open();
      const snapshots: LeaderboardSnapshot[] = [];
      void harness.client.subscribe('game-1', { onLeaderboard: (s) => snapshots.push(s) });
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'game-1', seq: 0, ...ack });
      await flush();
      return { ...harness, socket, versions: () => snapshots.map((s) => s.version), snapshots };
    };

    it('applies the board carried by the subscribe ack, then newer pushes only', async () => {
      // Prepare
      const { socket, versions, snapshots } = await subscribeToBoard({ leaderboard: board(50) });

      // Act: snapshots arrive out of order
      socket.deliver(board(57));
      socket.deliver(board(55));
      socket.deliver(board(57));
      socket.deliver(board(58));

      // Assess
      expect(versions()).toEqual([50, 57, 58]);
      expect(snapshots[0]).toEqual({
        board: 'game-1',
        version: 50,
        top: [{ rank: 1, player: 'bob', score: 50 }],
      });
    });

    it('keeps dropping old versions after a reconnect', async () => {
      // Prepare
      const { socket, network, versions } = await subscribeToBoard();
      socket.deliver(board(10));
      socket.drop();
      await flush();
      const next = network.latest;
      next.open();

      // Act
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'game-1',
        seq: 0,
        recovered: true,
        messages: [],
        leaderboard: board(9),
      });
      await flush();
      next.deliver(board(11));

      // Assess
      expect(versions()).toEqual([10, 11]);
    });

    it('does not take a reply to top() for a push', async () => {
      // Prepare
      const { client, socket, versions } = await subscribeToBoard();
      const top = client.top('game-1');

      // Act
      socket.reply(socket.last('top'), board(70));

      // Assess
      expect(await top).toMatchObject({ version: 70 });
      expect(versions()).toEqual([]);
    });
  });

  describe('presence', () => {
    const member = (clientId: string, connectionId: string) => ({ clientId, connectionId });

    const subscribed = async () => {
      const harness = createClient({ random: () => 0 });
      const socket = harness.network.latest;
      socket.open();
      const events: PresenceEvent[] = [];
      const ready = harness.client.subscribe('lobby', { onPresence: (e) => events.push(e) });
      socket.reply(socket.last('subscribe'), { type: 'subscribed', channel: 'lobby', seq: 0 });
      return { ...harness, socket, events, subscription: await ready };
    };

    const answerPresence = (socket: FakeSocket, members: Record<string, string>[]) =>
      socket.reply(socket.last('presence'), { type: 'presence', channel: 'lobby', members });

    it('passes join and leave events to onPresence', async () => {
      // Prepare
      const { socket, events } = await subscribed();

      // Act
      socket.deliver({ type: 'join', channel: 'lobby', member: member('alice', 'a1') });
      socket.deliver({ type: 'leave', channel: 'lobby', member: member('alice', 'a1') });

      // Assess
      expect(events.map((e) => e.type)).toEqual(['join', 'leave']);
    });

    it('tracks members per clientId with connection counts from the reply and the pushes', async () => {
      // Prepare
      const { socket, subscription } = await subscribed();
      const changes: PresentClient[][] = [];
      const tracking = subscription.trackPresence((members) => changes.push([...members]));
      await flush();

      // Act
      socket.deliver({ type: 'join', channel: 'lobby', member: member('bob', 'b2') }); // races the reply
      answerPresence(socket, [member('alice', 'a1'), member('bob', 'b1')]);
      const view = await tracking;
      socket.deliver({ type: 'join', channel: 'lobby', member: member('alice', 'a2') });
      socket.deliver({ type: 'leave', channel: 'lobby', member: member('alice', 'a1') });

      // Assess
      expect(view.members).toEqual([
        { clientId: 'alice', connections: 1 },
        { clientId: 'bob', connections: 2 },
      ]);
      expect(changes).toHaveLength(3);
    });

    it('reloads tracked presence after a reconnect', async () => {
      // Prepare
      const { socket, subscription, network } = await subscribed();
      const tracking = subscription.trackPresence();
      await flush();
      answerPresence(socket, [member('alice', 'a1')]);
      const view = await tracking;

      // Act
      socket.drop();
      await flush();
      const next = network.latest;
      next.open();
      next.reply(next.last('subscribe'), {
        type: 'subscribed',
        channel: 'lobby',
        seq: 0,
        messages: [],
        recovered: true,
      });
      await flush();
      answerPresence(next, [member('carol', 'c1')]);
      await flush();

      // Assess
      expect(view.members.map((m) => m.clientId)).toEqual(['carol']);
    });

    it('stops updating a view after stop()', async () => {
      // Prepare
      const { socket, subscription } = await subscribed();
      const tracking = subscription.trackPresence();
      await flush();
      answerPresence(socket, []);
      const view = await tracking;

      // Act
      view.stop();
      socket.deliver({ type: 'join', channel: 'lobby', member: member('alice', 'a1') });

      // Assess
      expect(view.size).toBe(0);
    });
  });
});
