/**
 * The two scenarios, each on a fresh fleet: `broadcast` (one client sends `sendmessage`, every open
 * connection receives it) and `publish` (every client subscribes to one channel, one of them publishes).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type RoundResult, runRound } from './delivery.js';
import { type Fleet, openFleet, retryDelayMs } from './fleet.js';
import type { BenchOptions, ServerKind } from './options.js';
import { type BenchData, rejectionOf } from './payload.js';
import { type CpuSpent, cpuBetween, type ResourceSample, sampleResources } from './resources.js';
import { type LatencySummary, perSecond, summarizeLatencies } from './stats.js';
import type { BenchTarget } from './target.js';
import { type WaitOutcome, waitUntil } from './wait.js';

/** The scenarios, in the order they run. */
export const SCENARIOS = ['broadcast', 'publish'] as const;

/** One scenario name. */
export type Scenario = (typeof SCENARIOS)[number];

/** Everything measured for one scenario × fleet size × server. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly server: ServerKind;
  readonly clients: number;
  readonly setup: {
    readonly opened: number;
    readonly failed: number;
    /** Handshakes answered 429 by the stage's throttling and tried again. */
    readonly throttled: number;
    readonly elapsedMs: number;
    readonly perSecond: number | null;
    readonly errors: readonly string[];
    /** CPU spent while the fleet opened, by where it ran; absent without `/proc`. */
    readonly cpu?: CpuSpent;
  };
  /** Only for `publish`: how many `subscribed` acks came back, and how fast. */
  readonly subscribe?: {
    readonly acked: number;
    readonly expected: number;
    readonly elapsedMs: number;
    readonly perSecond: number | null;
    readonly outcome: WaitOutcome;
    /** Refusals of `subscribe` requests, by kind. */
    readonly rejections: Readonly<Record<string, number>>;
  };
  readonly delivery: {
    readonly expected: number;
    readonly delivered: number;
    readonly duplicates: number;
    readonly elapsedMs: number;
    readonly perSecond: number | null;
    readonly latencyMs: LatencySummary;
    readonly outcomes: readonly WaitOutcome[];
    /** Refusals received while delivering (e.g. a throttled `sendmessage`), by kind. */
    readonly rejections: Readonly<Record<string, number>>;
    /** CPU spent from the first send to the end of the last round's wait, by where it ran. */
    readonly cpu?: CpuSpent;
  };
  /** Clients the server closed before the benchmark was done with them. */
  readonly closedByServer: number;
  /** Connections still open on the server when the settle wait after closing the fleet ended. */
  readonly leftOpen: number;
  /** Wall time of the whole scenario (refill pause, open, subscribe, rounds, close, settle), in ms. */
  readonly durationMs: number;
  /** The part of `durationMs` spent waiting for the server's throttling to refill before the fleet opened. */
  readonly pausedMs?: number;
  /** The most the scenario held at once: descriptors, and resident memory of this process and its children. */
  readonly peak?: {
    readonly openFiles: number;
    readonly rssMb: number;
    readonly childrenRssMb: number;
    readonly childProcesses: number;
  };
}

/** Receives progress lines (to stderr), never figures. */
export type ProgressLog = (line: string) => void;

function tag(): string {
  return randomBytes(4).toString('hex');
}

/** The refusal kind `rejectionOf` gives API Gateway's throttling reply. */
const THROTTLED = 'gateway: Too many requests';

function isSubscribedAck(frame: string, channel: string): boolean {
  try {
    const reply = JSON.parse(frame) as { type?: unknown; channel?: unknown };
    return reply.type === 'subscribed' && reply.channel === channel;
  } catch {
    return false;
  }
}

async function subscribeAll(
  fleet: Fleet,
  channel: string,
  timeoutMs: number,
): Promise<NonNullable<ScenarioResult['subscribe']>> {
  const acked = new Uint8Array(fleet.clients.length);
  const attempts = new Uint8Array(fleet.clients.length);
  let count = 0;
  let last = Number.NaN;
  const rejections: Record<string, number> = {};
  const request = JSON.stringify({ action: 'subscribe', channel });
  const retries: NodeJS.Timeout[] = [];
  fleet.listen((index, frame, receivedAt) => {
    const rejection = rejectionOf(frame);
    if (rejection !== undefined) rejections[rejection] = (rejections[rejection] ?? 0) + 1;
    if (rejection === THROTTLED && acked[index] !== 1) {
      // What a well-behaved client does when the stage throttles it (API Gateway's default route throttling,
      // which the runtime reproduces): try again later, backing off. Bounded by the phase deadline.
      const attempt = Math.min(255, (attempts[index] ?? 0) + 1);
      attempts[index] = attempt;
      retries.push(setTimeout(() => fleet.clients[index]?.send(request), retryDelayMs(attempt)));
    }
    if (acked[index] === 1 || !isSubscribedAck(frame, channel)) return;
    acked[index] = 1;
    count += 1;
    last = receivedAt;
  });
  const started = performance.now();
  for (const client of fleet.clients) client.send(request);
  const outcome = await waitUntil(() => count >= fleet.clients.length, { timeoutMs });
  fleet.listen(() => {});
  for (const retry of retries) clearTimeout(retry);
  const elapsedMs = Number.isNaN(last) ? 0 : last - started;
  return {
    acked: count,
    expected: fleet.clients.length,
    elapsedMs,
    perSecond: perSecond(count, elapsedMs),
    outcome,
    rejections,
  };
}

function mergeCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const count of counts) {
    for (const [key, n] of Object.entries(count)) merged[key] = (merged[key] ?? 0) + n;
  }
  return merged;
}

function pool(rounds: readonly RoundResult[]): ScenarioResult['delivery'] {
  const sum = (pick: (r: RoundResult) => number): number => rounds.reduce((total, r) => total + pick(r), 0);
  const delivered = sum((r) => r.delivered);
  const elapsedMs = sum((r) => r.elapsedMs);
  return {
    expected: sum((r) => r.expected),
    delivered,
    duplicates: sum((r) => r.duplicates),
    elapsedMs,
    perSecond: perSecond(delivered, elapsedMs),
    latencyMs: summarizeLatencies(rounds.flatMap((r) => r.latenciesMs)),
    outcomes: rounds.map((r) => r.outcome),
    rejections: mergeCounts(rounds.map((r) => r.rejections)),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The largest of each figure over the samples taken. */
function peakOf(samples: readonly (ResourceSample | undefined)[]): ScenarioResult['peak'] {
  const taken = samples.filter((sample): sample is ResourceSample => sample !== undefined);
  if (taken.length === 0) return undefined;
  const max = (pick: (sample: ResourceSample) => number): number => Math.max(...taken.map(pick));
  return {
    openFiles: max((s) => s.openFiles),
    rssMb: max((s) => s.rssMb),
    childrenRssMb: max((s) => s.childrenRssMb),
    childProcesses: max((s) => s.childProcesses),
  };
}

/**
 * Runs one scenario against one server with a fresh fleet of `clients`, then closes the fleet and waits
 * (bounded) until the server has seen every disconnect. Before opening the fleet it waits the server's
 * {@link BenchTarget.refillMs}, so the fleet's handshakes meet a full throttling burst.
 */
export async function runScenario(
  target: BenchTarget,
  scenario: Scenario,
  clients: number,
  options: BenchOptions,
  log: ProgressLog,
): Promise<ScenarioResult> {
  const label = `${scenario} ${target.kind} N=${clients}`;
  const scenarioStarted = performance.now();
  const pausedMs = Math.max(0, target.refillMs ?? 0);
  if (pausedMs > 0) await sleep(pausedMs);
  const beforeOpen = sampleResources();
  const fleet = await openFleet({
    url: target.url,
    count: clients,
    concurrency: options.concurrency,
    timeoutMs: options.phaseTimeoutMs,
  });
  const afterOpen = sampleResources();
  const { setup } = fleet;
  log(
    `${label}: opened ${setup.opened}/${clients} in ${setup.elapsedMs.toFixed(0)} ms${setup.throttled > 0 ? ` (${setup.throttled} handshakes throttled and retried)` : ''}`,
  );
  for (const error of setup.errors) log(`${label}: handshake failure: ${error}`);

  const channel = `bench.${tag()}`;
  let subscribe: ScenarioResult['subscribe'];
  if (scenario === 'publish' && fleet.clients.length > 0) {
    subscribe = await subscribeAll(fleet, channel, options.phaseTimeoutMs);
    log(
      `${label}: subscribed ${subscribe.acked}/${subscribe.expected} (${subscribe.outcome}) ${JSON.stringify(subscribe.rejections)}`,
    );
  }

  const route = scenario === 'broadcast' ? 'sendmessage' : 'publish';
  const completedBefore = target.completedRequests?.(route) ?? 0;
  let sent = 0;
  const rounds: RoundResult[] = [];
  const sender = fleet.clients[0];
  const beforeRounds = sampleResources();
  if (sender !== undefined) {
    const send = (data: BenchData): void => {
      sent += 1;
      sender.send(
        JSON.stringify(
          scenario === 'broadcast' ? { action: 'sendmessage', data } : { action: 'publish', channel, data },
        ),
      );
    };
    for (let round = 0; round < options.rounds; round += 1) {
      const result = await runRound({
        fleet,
        run: tag(),
        messages: options.messages,
        payloadBytes: options.payloadBytes,
        send,
        timeoutMs: options.phaseTimeoutMs,
        idleMs: options.idleTimeoutMs,
      });
      log(
        `${label}: round ${round + 1} delivered ${result.delivered}/${result.expected} (${result.outcome})`,
      );
      rounds.push(result);
    }
  }
  const afterRounds = sampleResources();

  const closedByServer = fleet.closedByServer();
  const closing = await fleet.close(options.phaseTimeoutMs);
  // Requests still being worked on (a fan-out past the deadline) would otherwise slow the next scenario down.
  const unfinished = (): number =>
    target.completedRequests === undefined ? 0 : sent - (target.completedRequests(route) - completedBefore);
  await waitUntil(() => target.openConnections() === 0 && unfinished() <= 0, {
    timeoutMs: options.phaseTimeoutMs,
  });
  const leftOpen = target.openConnections();
  log(
    `${label}: closed ${closing.closed}, terminated ${closing.terminated}, server still open ${leftOpen}, ${route} unfinished ${Math.max(0, unfinished())}`,
  );

  const setupCpu = cpuBetween(beforeOpen, afterOpen);
  const deliveryCpu = cpuBetween(beforeRounds, afterRounds);
  const delivery = pool(rounds);
  const peak = peakOf([afterOpen, beforeRounds, afterRounds]);
  return {
    scenario,
    server: target.kind,
    clients,
    setup: {
      ...setup,
      perSecond: perSecond(setup.opened, setup.elapsedMs),
      ...(setupCpu === undefined ? {} : { cpu: setupCpu }),
    },
    ...(subscribe === undefined ? {} : { subscribe }),
    delivery: deliveryCpu === undefined ? delivery : { ...delivery, cpu: deliveryCpu },
    closedByServer,
    leftOpen,
    durationMs: performance.now() - scenarioStarted,
    ...(pausedMs > 0 ? { pausedMs } : {}),
    ...(peak === undefined ? {} : { peak }),
  };
}
