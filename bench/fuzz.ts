/**
 * `npm run fuzz`: one abuser sends ≥ 10,000 generated bad frames (random bytes as text, deep and huge JSON,
 * wrong types, prototype keys, unicode edge cases, oversize and binary frames) to the offline runtime, one at a
 * time, reconnecting whenever it is cut off, while a bystander pair (one subscriber, one publisher at 5/s) goes
 * on. Prints the frames sent, the error frames by code, the `Internal server error` frames (must be 0), the
 * frames that deserved an error and got none (must be 0), the bystanders' messages published vs received
 * (must be equal), and how long the rate limit took from an abuser's first over-limit frame to its socket
 * being closed. Exits non-zero when a check fails.
 *
 * @example
 * npm run fuzz -- --frames 2000 --seconds 60
 *
 * @module
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { type BadFrame, nextBadFrame, seededRandom } from './abuse/bad-frames.js';
import { type AbuseRuntime, startAbuseRuntime } from './abuse/runtime.js';
import { summarizeLatencies } from './realtime/stats.js';

const log = (line: string): void => {
  process.stderr.write(`[fuzz] ${line}\n`);
};

/** A frame unanswered this long counts as answered by nothing. */
const REPLY_TIMEOUT_MS = 5_000;
const BYSTANDER_CHANNEL = 'bystanders';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '300' },
    seed: { type: 'string', default: '9' },
    rate: { type: 'string', default: '5' },
    'cdk-out': { type: 'string' },
  },
});
const FRAMES = Number(values.frames);
const SECONDS = Number(values.seconds);
const PUBLISH_RATE = Number(values.rate);
if (!(FRAMES > 0 && SECONDS > 0 && PUBLISH_RATE > 0))
  throw new Error('--frames, --seconds and --rate must be > 0');

/** A socket whose messages are queued until read. */
interface Client {
  readonly socket: WebSocket;
  next(timeoutMs: number): Promise<{ text: string } | { closed: number } | 'timeout'>;
  readonly opened: Promise<void>;
}

function open(url: string): Client {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  let closed: number | undefined;
  let wake: (() => void) | undefined;
  socket.on('message', (data) => {
    queue.push(data.toString());
    wake?.();
  });
  socket.on('close', (code) => {
    closed = code;
    wake?.();
  });
  socket.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', (code) => reject(new Error(`closed ${code} before opening`)));
  });
  return {
    socket,
    opened,
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = queue.shift();
        if (text !== undefined) return { text };
        if (closed !== undefined) return { closed };
        const left = deadline - Date.now();
        if (left <= 0) return 'timeout';
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
  };
}

/** The figures of one run. */
interface Figures {
  sent: number;
  byKind: Record<string, number>;
  errorsByCode: Record<string, number>;
  internalErrors: number;
  throttled: number;
  missed: string[];
  wrongReplies: string[];
  closedByGateway: number;
  connections: number;
  rateLimitClosures: number;
  closeLatenciesMs: number[];
  unanswered: number;
}

const bump = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1;
};

/** What a reply frame is: an error code, the gateway's own messages, or a normal reply. */
function classify(text: string): { error?: string; gateway?: string } {
  try {
    const frame = JSON.parse(text) as {
      type?: unknown;
      code?: unknown;
      message?: unknown;
      connectionId?: unknown;
    };
    if (frame.type === 'error' && typeof frame.code === 'string') return { error: frame.code };
    if (typeof frame.message === 'string' && typeof frame.connectionId === 'string')
      return { gateway: frame.message };
  } catch {
    // not JSON: a normal reply as far as the fuzzer can tell
  }
  return {};
}

/** Sends a frame that must close its socket on a fresh socket, and checks that it does. */
async function closedBy(runtime: AbuseRuntime, frame: BadFrame, figures: Figures): Promise<void> {
  const side = open(await runtime.urlFor(`abuser-side-${figures.sent}`));
  await side.opened;
  side.socket.send(frame.payload);
  const answer = await side.next(REPLY_TIMEOUT_MS);
  if (typeof answer === 'object' && 'closed' in answer) figures.closedByGateway += 1;
  else figures.missed.push(`${frame.kind}: not closed (${JSON.stringify(answer).slice(0, 80)})`);
  side.socket.terminate();
}

async function abuse(runtime: AbuseRuntime, figures: Figures, deadline: number): Promise<void> {
  const random = seededRandom(Number(values.seed));
  let client: Client | undefined;
  let firstOverLimit: number | undefined;
  while (figures.sent < FRAMES && Date.now() < deadline) {
    if (client === undefined) {
      client = open(await runtime.urlFor(`abuser-${figures.connections}`));
      figures.connections += 1;
      firstOverLimit = undefined;
      await client.opened;
    }
    const frame: BadFrame = nextBadFrame(random);
    figures.sent += 1;
    bump(figures.byKind, frame.kind);
    if (frame.deserves === 'close') {
      // Frames the gateway closes the socket for go on a socket of their own, so the abuser's main socket
      // lives until the rate limit closes it.
      await closedBy(runtime, frame, figures);
      continue;
    }
    client.socket.send(frame.payload);
    const answer = await client.next(REPLY_TIMEOUT_MS);
    if (answer === 'timeout') {
      figures.unanswered += 1;
      if (frame.deserves === 'error') figures.missed.push(`${frame.kind}: no answer`);
      continue;
    }
    if ('closed' in answer) {
      if (firstOverLimit !== undefined) {
        figures.rateLimitClosures += 1;
        figures.closeLatenciesMs.push(Date.now() - firstOverLimit);
      } else {
        figures.missed.push(`${frame.kind}: socket closed (${answer.closed}) instead of an error`);
      }
      client = undefined;
      continue;
    }
    const { error, gateway } = classify(answer.text);
    if (gateway === 'Internal server error') figures.internalErrors += 1;
    if (gateway === 'Too many requests') figures.throttled += 1;
    if (gateway !== undefined) bump(figures.errorsByCode, `gateway: ${gateway}`);
    if (error !== undefined) {
      bump(figures.errorsByCode, error);
      if (error === 'RATE_LIMITED') firstOverLimit ??= Date.now();
    }
    const refused = error !== undefined || gateway !== undefined;
    if (frame.deserves === 'error' && !refused) {
      figures.missed.push(
        `${frame.kind}: ${String(frame.payload).slice(0, 80)} → ${answer.text.slice(0, 80)}`,
      );
    }
    if (frame.deserves === 'reply' && error !== undefined && error !== 'RATE_LIMITED') {
      figures.wrongReplies.push(
        `${frame.kind}: ${String(frame.payload).slice(0, 80)} → ${answer.text.slice(0, 80)}`,
      );
    }
  }
  client?.socket.terminate();
}

/** The bystanders: one subscriber, one publisher at `PUBLISH_RATE` per second, until `stop` resolves. */
async function bystanders(runtime: AbuseRuntime, stop: Promise<void>) {
  const subscriber = open(await runtime.urlFor('bystander-sub'));
  const publisher = open(await runtime.urlFor('bystander-pub'));
  await Promise.all([subscriber.opened, publisher.opened]);
  subscriber.socket.send(JSON.stringify({ action: 'subscribe', channel: BYSTANDER_CHANNEL }));
  const ack = await subscriber.next(REPLY_TIMEOUT_MS);
  if (typeof ack !== 'object' || !('text' in ack) || !ack.text.includes('"subscribed"')) {
    throw new Error(`bystander could not subscribe: ${JSON.stringify(ack)}`);
  }
  const received = new Set<number>();
  subscriber.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type?: string; data?: { n?: number } };
    if (frame.type === 'message' && typeof frame.data?.n === 'number') received.add(frame.data.n);
  });
  const acked = new Set<number>();
  const refused: Record<string, number> = {};
  publisher.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      type?: string;
      id?: number;
      code?: string;
      message?: string;
    };
    if (frame.type === 'published' && typeof frame.id === 'number') acked.add(frame.id);
    else bump(refused, frame.code ?? frame.message ?? 'unknown');
  });
  let sent = 0;
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    sent += 1;
    publisher.socket.send(
      JSON.stringify({ action: 'publish', channel: BYSTANDER_CHANNEL, data: { n: sent }, id: sent }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000 / PUBLISH_RATE));
  }
  // Let the last publishes land.
  const settle = Date.now() + REPLY_TIMEOUT_MS;
  while (
    Date.now() < settle &&
    (acked.size + Object.values(refused).reduce((a, b) => a + b, 0) < sent || received.size < acked.size)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  subscriber.socket.close();
  publisher.socket.close();
  const lost = [...acked].filter((n) => !received.has(n)).length;
  return { sent, acked: acked.size, received: received.size, lost, refused, subscriberOpen: true };
}

async function main(): Promise<number> {
  const runtime = await startAbuseRuntime(values['cdk-out'], log);
  const figures: Figures = {
    sent: 0,
    byKind: {},
    errorsByCode: {},
    internalErrors: 0,
    throttled: 0,
    missed: [],
    wrongReplies: [],
    closedByGateway: 0,
    connections: 0,
    rateLimitClosures: 0,
    closeLatenciesMs: [],
    unanswered: 0,
  };
  try {
    let stopBystanders: () => void = () => {};
    const stop = new Promise<void>((resolve) => {
      stopBystanders = resolve;
    });
    const pair = bystanders(runtime, stop);
    const started = Date.now();
    log(`abusing with ${FRAMES} frames (seed ${values.seed}), bystanders publishing ${PUBLISH_RATE}/s`);
    await abuse(runtime, figures, started + SECONDS * 1000);
    const elapsedS = (Date.now() - started) / 1000;
    stopBystanders();
    const bystander = await pair;
    const closeLatency = summarizeLatencies(figures.closeLatenciesMs);
    const checks = {
      'no Internal server error': figures.internalErrors === 0,
      'every bad frame answered with an error (or closed)': figures.missed.length === 0,
      'odd but valid frames answered normally': figures.wrongReplies.length === 0,
      'all frames sent': figures.sent >= FRAMES,
      'the abuser was closed by the rate limit': figures.rateLimitClosures > 0,
      'bystander received every acknowledged publish':
        bystander.lost === 0 && bystander.received === bystander.acked,
      'bystander publishes never refused': Object.keys(bystander.refused).length === 0,
    };
    const lines = [
      `frames sent:                  ${figures.sent} in ${elapsedS.toFixed(1)} s over ${figures.connections} abuser connections`,
      `frames by kind:               ${JSON.stringify(figures.byKind)}`,
      `error frames by code:         ${JSON.stringify(figures.errorsByCode)}`,
      `Internal server error frames: ${figures.internalErrors}`,
      `deserved an error, got none:  ${figures.missed.length}${figures.missed.length > 0 ? ` (${figures.missed.slice(0, 5).join(' | ')})` : ''}`,
      `valid odd frames refused:     ${figures.wrongReplies.length}${figures.wrongReplies.length > 0 ? ` (${figures.wrongReplies.slice(0, 5).join(' | ')})` : ''}`,
      `closed by the gateway:        ${figures.closedByGateway} (oversize 1009, binary 1003)`,
      `closed by the rate limit:     ${figures.rateLimitClosures}; first RATE_LIMITED → closed: median ${closeLatency.p50} ms, p99 ${closeLatency.p99} ms, max ${closeLatency.max} ms`,
      `bystander publishes:          sent ${bystander.sent}, acknowledged ${bystander.acked}, received ${bystander.received}, refused ${JSON.stringify(bystander.refused)}`,
      `invocations:                  ${JSON.stringify(Object.fromEntries(runtime.invocations))}`,
      ...Object.entries(checks).map(([name, ok]) => `${ok ? 'PASS' : 'FAIL'} ${name}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return Object.values(checks).every(Boolean) ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

const exitCode = await main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 2;
});
process.exit(exitCode);
