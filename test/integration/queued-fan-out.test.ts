import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { type RunningRuntime, type RuntimeApi, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * The queued fan-out end to end on the product assembly: with `FANOUT_INLINE_LIMIT=0` every publish and
 * broadcast is acknowledged at once and handed to the fan-out queue, whose worker (fed by the runtime's SQS
 * event source mapping) posts it; `FANOUT_SLICE_SIZE=2` cuts a channel of five into three pages, so the
 * workers also chain page slices.
 */
describe('queued fan-out over the offline runtime (SQS + worker)', () => {
  let runtime: RunningRuntime;
  let api: RuntimeApi;
  const sockets: TestClient[] = [];
  const unique = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

  const open = async (clientId = unique('c')): Promise<TestClient> => {
    const client = await TestClient.open(await connectUrl(api, { clientId }));
    sockets.push(client);
    return client;
  };

  beforeAll(async () => {
    runtime = await startRuntime({
      cdkOut: inject('productAssembly'),
      port: 0,
      functionEnvironment: { FANOUT_INLINE_LIMIT: '0', FANOUT_SLICE_SIZE: '2' },
    });
    const first = runtime.apis[0];
    if (first === undefined) throw new Error('the product assembly has no WebSocket API');
    api = first;
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    await runtime?.close();
  });

  it('acknowledges a publish as queued at once and delivers it to every subscriber through the workers', async () => {
    const channel = unique('match');
    const subscribers = await Promise.all(Array.from({ length: 5 }, () => open()));
    for (const subscriber of subscribers) {
      await subscriber.request({ action: 'subscribe', channel }, 'subscribed');
    }
    const publisher = await open();

    const ack = await publisher.request({ action: 'publish', channel, data: { goal: 1 } }, 'published');

    expect(ack).toMatchObject({ channel, seq: 1, fanout: 'queued', delivered: 0 });
    const received = await Promise.all(
      subscribers.map((subscriber) =>
        subscriber.next((json) => json.type === 'message' && json.channel === channel, 15_000),
      ),
    );
    expect(received.map((frame) => frame.json)).toEqual(
      subscribers.map(() => expect.objectContaining({ channel, seq: 1, data: { goal: 1 } })),
    );
  }, 30_000);

  it('queues a broadcast and reaches every open connection, the sender too', async () => {
    const listeners = await Promise.all(Array.from({ length: 3 }, () => open()));
    const sender = await open();
    const marker = unique('hello');

    sender.send({ action: 'sendmessage', data: marker });

    const frames = await Promise.all(
      [...listeners, sender].map((client) => client.next((_json, raw) => raw === marker, 15_000)),
    );
    expect(frames.map((frame) => frame.raw)).toEqual([marker, marker, marker, marker]);
  }, 30_000);

  it('queues a join to a channel with members present, and every member gets it from the workers', async () => {
    const channel = unique('room');
    const members = await Promise.all(Array.from({ length: 3 }, () => open()));
    for (const member of members) {
      await member.request({ action: 'subscribe', channel, presence: true }, 'subscribed');
    }
    const newcomerId = unique('newcomer');
    const newcomer = await open(newcomerId);

    await newcomer.request({ action: 'subscribe', channel, presence: true }, 'subscribed');

    const joins = await Promise.all(
      members.map((member) =>
        member.next(
          (json) =>
            json.type === 'join' &&
            json.channel === channel &&
            (json.member as { clientId?: string } | undefined)?.clientId === newcomerId,
          15_000,
        ),
      ),
    );
    expect(joins).toHaveLength(3);
  }, 30_000);

  it("queues a leaderboard snapshot to the board's viewers", async () => {
    const board = unique('cup');
    const viewers = await Promise.all(Array.from({ length: 3 }, () => open()));
    for (const viewer of viewers) await viewer.request({ action: 'subscribe', channel: board }, 'subscribed');
    const scorer = await open();

    await scorer.request({ action: 'score', board, player: 'ann', points: 7 }, 'scored');

    const snapshots = await Promise.all(
      viewers.map((viewer) =>
        viewer.next((json) => json.type === 'leaderboard' && json.board === board, 15_000),
      ),
    );
    expect(snapshots.map((frame) => frame.json)).toEqual(
      viewers.map(() => expect.objectContaining({ version: 1, top: [{ rank: 1, player: 'ann', score: 7 }] })),
    );
  }, 30_000);

  it("acknowledges a direct message as queued and reaches each of the user's connections", async () => {
    const user = unique('dana');
    const tabs = await Promise.all(Array.from({ length: 2 }, () => open(user)));
    const senderId = unique('sender');
    const sender = await open(senderId);

    const ack = await sender.request({ action: 'sendtouser', user, data: { ping: 1 } }, 'sent');

    expect(ack).toMatchObject({ user, delivered: 0, fanout: 'queued' });
    const frames = await Promise.all(
      tabs.map((tab) => tab.next((json) => json.type === 'direct' && json.fromUser === senderId, 15_000)),
    );
    expect(frames.map((frame) => frame.json)).toEqual(
      tabs.map(() => expect.objectContaining({ data: { ping: 1 } })),
    );
  }, 30_000);
});
