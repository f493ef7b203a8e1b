/**
 * `npm run bench:fanout`: a publish to channels of 1,000 / 10,000 / 100,000 subscribers, through the real
 * publish handler and fan-out worker (in-process, no network to AWS), against a simulated `@connections`
 * endpoint (20 ms ± 10 ms a post, the account's 10,000 requests/s token bucket shared by every function) and an
 * in-memory SQS queue feeding N concurrent worker invocations. Prints, per size: the ack time, the time to
 * the last delivery beside the floor the account limit sets, posts/s, Lambda-seconds, and loss.
 *
 * Flags: `--sizes 1000,10000`, `--latency-ms`, `--jitter-ms`, `--account-rate`, `--account-burst`,
 * `--workers`, `--concurrency`, `--inline-limit`, `--slice-size`, `--queue-latency-ms`, `--page-latency-ms`,
 * `--visibility-ms`, `--max-receive-count`, `--worker-timeout-ms`, `--run-timeout-ms` (see bench/fanout/options.ts).
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchOptionsError, type FanOutBenchOptions, parseBenchOptions } from './fanout/options.js';
import { type BenchRun, formatRuns } from './fanout/report.js';
import {
  benchFanOutSettings,
  lambdaContext,
  runWorkers,
  SimulatedEndpoint,
  SimulatedPages,
  SimulatedQueue,
  silentLogger,
  TokenBucket,
} from './fanout/simulation.js';

// The handler modules build their production clients at load; these values are never used to reach AWS.
process.env.TABLE_NAME ??= 'bench';
process.env.CALLBACK_URL ??= 'http://127.0.0.1:9/bench';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.FANOUT_QUEUE_URL ??= 'http://127.0.0.1:9/000000000000/bench-fanout';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The handlers' EMF metrics would go to stdout between the figures; CloudWatch is not part of the model.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { makePublishHandler } = await import('../lambdas/handlers/publish.js');
const { makeFanOutWorkerHandler } = await import('../lambdas/handlers/fanout-worker.js');

const PUBLISHER = 'publisher';

const runOnce = async (size: number, options: FanOutBenchOptions): Promise<BenchRun> => {
  const ids = Array.from({ length: size }, (_, i) => `c${i}`);
  const endpoint = new SimulatedEndpoint(
    new TokenBucket(options.accountRate, options.accountBurst),
    options.latencyMs,
    options.jitterMs,
  );
  const pages = new SimulatedPages(ids, options.pageLatencyMs);
  const queue = new SimulatedQueue(options.queueLatencyMs);
  const ports = {
    store: {
      removeConnection: async () => ({ member: { connectionId: '', clientId: '' }, presenceChannels: [] }),
    },
    messenger: endpoint,
  };
  let seq = 0;
  const publish = makePublishHandler({
    ports: {
      ...ports,
      store: {
        ...ports.store,
        member: async (connectionId) => ({ connectionId, clientId: connectionId }),
        nextSequence: async () => ++seq,
        subscribers: () => {
          throw new Error('the bench always gives the publish route a queue plan');
        },
      },
      history: {
        keep: async () => undefined,
        after: async () => [],
        latest: async () => [],
        currentSequence: async () => seq,
      },
    },
    historySize: 0,
    logger: silentLogger,
    fanOut: benchFanOutSettings(options.concurrency),
    queue: { queue, pages, inlineLimit: options.inlineLimit, sliceSize: options.sliceSize, route: 'publish' },
  });
  const worker = makeFanOutWorkerHandler({
    ports,
    plan: { queue, pages, sliceSize: options.sliceSize },
    logger: silentLogger,
    fanOut: benchFanOutSettings(options.concurrency),
  });

  const started = performance.now();
  const deadline = started + options.runTimeoutMs;
  let stop = false;
  const finished = () =>
    stop || performance.now() > deadline || (endpoint.delivered.size >= size && queue.depth === 0);
  let busy = 0;
  const workers = runWorkers(
    queue,
    async (event, context) => {
      busy += 1;
      try {
        return await worker(event, context);
      } finally {
        busy -= 1;
      }
    },
    options,
    () => finished() && busy === 0,
  );
  const event = {
    requestContext: { connectionId: PUBLISHER, routeKey: 'publish' },
    body: JSON.stringify({ action: 'publish', channel: 'bench', data: { n: 1 }, id: 1 }),
  } as unknown as Parameters<typeof publish>[0];
  const response = await publish(event, lambdaContext(10_000));
  const ackMs = performance.now() - started;
  const publisherMs = ackMs;
  while (!finished()) await sleep(5);
  stop = true;
  const totals = await workers;
  const ack = JSON.parse(String(response.body ?? '{}')) as { fanout?: string };
  const elapsedMs = Math.max(endpoint.lastDeliveryAt - started, 0);
  return {
    size,
    mode: ack.fanout === 'queued' ? 'queued' : 'inline',
    ackMs,
    lastDeliveryMs: elapsedMs,
    floorMs: (size / options.accountRate) * 1000,
    delivered: endpoint.delivered.size,
    posts: endpoint.posts,
    throttled: endpoint.throttled,
    lambdaSeconds: (publisherMs + totals.lambdaMs) / 1000,
    invocations: totals.invocations + 1,
    slices: queue.sent,
    deadLettered: queue.deadLetters.length,
    timedOut: endpoint.delivered.size < size,
  };
};

try {
  const options = parseBenchOptions(process.argv.slice(2));
  const runs: BenchRun[] = [];
  for (const size of options.sizes) runs.push(await runOnce(size, options));
  console.log(formatRuns(runs, options));
  process.exitCode = runs.some((run) => run.delivered < run.size) ? 1 : 0;
} catch (error) {
  if (error instanceof BenchOptionsError) {
    console.error(error.message);
    process.exitCode = 2;
  } else throw error;
}
