/**
 * `npm run soak`: thousands of connections churn through the offline runtime (connect, subscribe, publish,
 * then most drop without a close frame, `socket.terminate()`, some close cleanly and some stay), a bounded
 * number at a time and within a time limit. Then it waits for every `$disconnect`, and checks that the table
 * holds exactly the live connections and their subscriptions (no item of a dead connection survives), and that
 * every message published to a channel after a live subscriber joined it reached that subscriber. Prints the
 * figures; exits non-zero when a check fails.
 *
 * @example
 * npm run soak -- --connections 3000 --concurrency 64 --seconds 60
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { seededRandom } from './abuse/bad-frames.js';
import { type BenchClient, type Frame, openClient } from './abuse/client.js';
import { type AbuseRuntime, startAbuseRuntime } from './abuse/runtime.js';

const log = (line: string): void => {
  process.stderr.write(`[soak] ${line}\n`);
};

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '40' },
    live: { type: 'string', default: '100' },
    channels: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '7' },
    'cdk-out': { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections);
const CONCURRENCY = Number(values.concurrency);
const LIVE = Number(values.live);
const CHANNELS = Number(values.channels);
const SECONDS = Number(values.seconds);
for (const [name, value] of Object.entries({ CONNECTIONS, CONCURRENCY, LIVE, CHANNELS, SECONDS })) {
  if (!(Number.isInteger(value) && value > 0))
    throw new Error(`${name.toLowerCase()} must be a positive integer`);
}

/** How long one request may wait for its answer. */
const REPLY_TIMEOUT_MS = 10_000;
/** How long the check waits for every `$disconnect` to finish. */
const DISCONNECT_WAIT_MS = 30_000;

/** A subscriber that stays until the end, and what it must receive. */
interface LiveSubscriber {
  readonly clientId: string;
  readonly channel: string;
  /** The channel's `seq` in the subscribe ack: every later message must arrive. */
  readonly fromSeq: number;
  readonly client: BenchClient;
}

interface Counts {
  opened: number;
  refusedHandshakes: number;
  terminated: number;
  closed: number;
  published: number;
  failedRequests: number;
  deliveredToChurners: number;
}

const isAck = (type: string, id: number) => (frame: Frame) => frame.type === type && frame.id === id;
const isError = (id: number) => (frame: Frame) => frame.type === 'error' && frame.id === id;

async function main(): Promise<number> {
  const random = seededRandom(Number(values.seed));
  const runtime: AbuseRuntime = await startAbuseRuntime(values['cdk-out'], log);
  const counts: Counts = {
    opened: 0,
    refusedHandshakes: 0,
    terminated: 0,
    closed: 0,
    published: 0,
    failedRequests: 0,
    deliveredToChurners: 0,
  };
  /** Acknowledged publishes by channel: the `seq`s. */
  const publishedSeqs = new Map<string, number[]>();
  const live: LiveSubscriber[] = [];
  const errors: Record<string, number> = {};
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  let next = 0;
  let reserved = 0;

  const request = async (client: BenchClient, id: number, body: Record<string, unknown>, ack: string) => {
    client.send({ ...body, id });
    const frame = await client.waitFor((f) => isAck(ack, id)(f) || isError(id)(f), REPLY_TIMEOUT_MS);
    if (frame?.type !== ack) {
      counts.failedRequests += 1;
      const key = String(frame?.code ?? frame?.message ?? 'no answer');
      errors[key] = (errors[key] ?? 0) + 1;
      return undefined;
    }
    return frame;
  };

  const churnOne = async (index: number): Promise<void> => {
    const clientId = `soak-${index}`;
    const channel = `soak-${Math.floor(random() * CHANNELS)}`;
    // Reserved before any await, so concurrent workers never keep more than --live.
    const stays = reserved < LIVE && random() < LIVE / CONNECTIONS + 0.02;
    if (stays) reserved += 1;
    const drop = random();
    let client: BenchClient;
    try {
      client = await openClient(await runtime.urlFor(clientId));
    } catch {
      counts.refusedHandshakes += 1;
      return;
    }
    counts.opened += 1;
    const ack = await request(client, 1, { action: 'subscribe', channel }, 'subscribed');
    const target = `soak-${Math.floor(random() * CHANNELS)}`;
    const published = await request(
      client,
      2,
      { action: 'publish', channel: target, data: { from: clientId } },
      'published',
    );
    if (published !== undefined && typeof published.seq === 'number') {
      counts.published += 1;
      const seqs = publishedSeqs.get(target) ?? [];
      seqs.push(published.seq);
      publishedSeqs.set(target, seqs);
    }
    if (stays && ack !== undefined && typeof ack.seq === 'number') {
      live.push({ clientId, channel, fromSeq: ack.seq, client });
      return;
    }
    counts.deliveredToChurners += client.frames.filter((f) => f.type === 'message').length;
    if (drop < 0.8) {
      // Gone without a close frame: the gateway only sees the TCP connection end.
      client.socket.terminate();
      counts.terminated += 1;
    } else {
      client.socket.close();
      counts.closed += 1;
    }
  };

  log(`churning ${CONNECTIONS} connections, ${CONCURRENCY} at a time, for at most ${SECONDS} s`);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CONNECTIONS && Date.now() < deadline) {
        next += 1;
        await churnOne(next);
      }
    }),
  );
  const churnS = (Date.now() - started) / 1000;
  log(
    `churned ${counts.opened} connections in ${churnS.toFixed(1)} s; waiting for deliveries and $disconnect`,
  );

  // Deliveries to the live subscribers: every message on their channel after the seq of their ack.
  const expectedFor = (s: LiveSubscriber) =>
    (publishedSeqs.get(s.channel) ?? []).filter((seq) => seq > s.fromSeq);
  const receivedBy = (s: LiveSubscriber) =>
    new Set(s.client.frames.filter((f) => f.type === 'message' && f.channel === s.channel).map((f) => f.seq));
  const missingNow = () =>
    live.reduce((sum, s) => sum + expectedFor(s).filter((seq) => !receivedBy(s).has(seq)).length, 0);
  const settle = Date.now() + REPLY_TIMEOUT_MS;
  while (missingNow() > 0 && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
  const expectedDeliveries = live.reduce((sum, s) => sum + expectedFor(s).length, 0);
  const missing = missingNow();

  const gone = counts.opened - live.length;
  const disconnectDeadline = Date.now() + DISCONNECT_WAIT_MS;
  while (runtime.disconnects() < gone && Date.now() < disconnectDeadline)
    await new Promise((r) => setTimeout(r, 100));
  const disconnectsWaitedS = (DISCONNECT_WAIT_MS - (disconnectDeadline - Date.now())) / 1000;

  // What the table holds now.
  const metas = new Map<string, string>();
  const subscriptions: { connectionId: string; channel: string }[] = [];
  const otherConnectionItems: string[] = [];
  for await (const page of paginateScan(
    { client: runtime.dynamodb },
    { TableName: runtime.tableName, ConsistentRead: true },
  )) {
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S ?? '';
      const sk = item.sk?.S ?? '';
      if (pk.startsWith('CONN#') && sk === 'META')
        metas.set(pk.slice('CONN#'.length), item.clientId?.S ?? '');
      else if (pk.startsWith('CHAN#') && sk.startsWith('CONN#'))
        subscriptions.push({ connectionId: sk.slice('CONN#'.length), channel: pk.slice('CHAN#'.length) });
      else if (sk.startsWith('CONN#')) otherConnectionItems.push(sk.slice('CONN#'.length));
    }
  }
  const liveIds = new Set(live.map((s) => s.clientId));
  const tableClientIds = new Set(metas.values());
  const orphanSubscriptions = subscriptions.filter((s) => !metas.has(s.connectionId)).length;
  // Broadcast membership (and presence): one per live connection, none of a dead one.
  const orphanOthers = otherConnectionItems.filter((id) => !metas.has(id)).length;
  const strangers = [...tableClientIds].filter((id) => !liveIds.has(id)).length;
  const absent = [...liveIds].filter((id) => !tableClientIds.has(id)).length;
  const liveSubscriptionsOk =
    subscriptions.length === live.length &&
    live.every((s) =>
      subscriptions.some((t) => t.channel === s.channel && metas.get(t.connectionId) === s.clientId),
    );

  const checks = {
    'every churned connection got its $disconnect': runtime.disconnects() >= gone,
    'the table holds exactly the live connections':
      metas.size === live.length && strangers === 0 && absent === 0,
    'the table holds exactly the live subscriptions (none of a dead connection)':
      orphanSubscriptions === 0 && liveSubscriptionsOk,
    'no other item of a dead connection (broadcast membership, presence)': orphanOthers === 0,
    'every message published to a live subscriber arrived': missing === 0,
    'no request failed': counts.failedRequests === 0,
  };
  const lines = [
    `connections churned:   ${counts.opened} in ${churnS.toFixed(1)} s (${(counts.opened / churnS).toFixed(0)}/s), ${CONCURRENCY} at a time; refused handshakes ${counts.refusedHandshakes}`,
    `dropped:               ${counts.terminated} terminated without a close frame, ${counts.closed} closed, ${live.length} kept live`,
    `published:             ${counts.published} acknowledged publishes to ${CHANNELS} channels; failed requests ${counts.failedRequests} ${JSON.stringify(errors)}`,
    `live deliveries:       ${expectedDeliveries - missing} of ${expectedDeliveries} messages reached the live subscribers (missing ${missing})`,
    `$disconnect:           ${runtime.disconnects()} of ${gone} gone connections, all in by ${disconnectsWaitedS.toFixed(1)} s after the churn`,
    `table afterwards:      ${metas.size} connections (live ${live.length}), ${subscriptions.length} subscriptions (orphans ${orphanSubscriptions}), ${otherConnectionItems.length} other connection items (orphans ${orphanOthers})`,
    `invocations:           ${JSON.stringify(Object.fromEntries(runtime.invocations))}`,
    ...Object.entries(checks).map(([name, ok]) => `${ok ? 'PASS' : 'FAIL'} ${name}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const s of live) s.client.socket.terminate();
  await runtime.close();
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

const exitCode = await main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 2;
});
process.exit(exitCode);
