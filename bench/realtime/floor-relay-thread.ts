/**
 * One relay thread of the floor server (`floor-server.ts`), loaded by `floor-relay.mjs` in a `worker_threads`
 * Worker. It stands in for the Lambda fan-out of the offline runtime with the least that fan-out must do per
 * delivery: one `PostToConnection` through the very client the fan-out handlers use — an
 * `ApiGatewayManagementApiClient` built as `lambdas/adapters/clients/management-api.ts` builds it (SDK retries
 * off, the keep-alive request handler of `lambdas/adapters/management-request-handler.ts`), wrapped in the
 * handlers' `ManagementApiMessenger` — to the floor's HTTP `@connections` server in this process, retrying a
 * retryable failure (a kept-alive socket the server closed, a timeout) with the fan-out's own backoff and
 * policy. No Lambda harness, no IPC to another process, no DynamoDB.
 *
 * At most `inFlight` POSTs are in flight across all jobs of this thread (the fan-out keeps `FANOUT_CONCURRENCY`,
 * 32, in flight per invocation). Every job gets exactly one `done` message with its counts; failures are
 * counted, never thrown.
 *
 * Messages:
 * - in:  {@link RelayJob} `{ type: 'relay', route, ids, frame }`
 * - out: `{ type: 'ready' }` once, then {@link RelayDone} `{ type: 'done', route, ok, gone, failed, error? }`
 *   per job (`ok` = sent, `gone` = 410, `failed` = anything else; `error` = the job's first failure).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ManagementApiMessenger } from '../../lambdas/adapters/management-messenger.js';
import { managementRequestHandler } from '../../lambdas/adapters/management-request-handler.js';
import { backoffDelayMs } from '../../lambdas/core/backoff.js';
import { SEND_RETRY_POLICY } from '../../lambdas/core/constants.js';
import { RetryableSendError } from '../../lambdas/core/errors.js';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import type { FanOutRoute } from './baseline-protocol.js';

/** The `workerData` of a relay thread. */
export interface RelayBoot {
  /** The stage URL the client posts under (`http://127.0.0.1:<port>/<stage>`); the SDK appends `/@connections/{id}`. */
  readonly endpoint: string;
  readonly region: string;
  /** Most POSTs in flight at once, and the keep-alive sockets of the request handler. */
  readonly inFlight: number;
}

/** A fan-out handed to a relay thread. */
export interface RelayJob {
  readonly type: 'relay';
  readonly route: FanOutRoute;
  readonly ids: readonly string[];
  readonly frame: string;
}

/** What a relay thread reports when a job is over. */
export interface RelayDone {
  readonly type: 'done';
  readonly route: FanOutRoute;
  readonly ok: number;
  readonly gone: number;
  readonly failed: number;
  /** Attempts that failed retryably and were made again. */
  readonly retries: number;
  readonly error?: string;
}

interface Job {
  readonly route: FanOutRoute;
  readonly ids: readonly string[];
  readonly frame: string;
  next: number;
  pending: number;
  ok: number;
  gone: number;
  failed: number;
  retries: number;
  error: string | undefined;
  reported: boolean;
}

const port = parentPort;
if (port === null) throw new Error('floor-relay-thread.ts must run in a worker thread');
const boot = workerData as RelayBoot;

const messenger = new ManagementApiMessenger(
  new ApiGatewayManagementApiClient({
    endpoint: boot.endpoint,
    region: boot.region,
    // The handlers read the same dummy credentials from the environment the runtime gives them.
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
    requestHandler: managementRequestHandler(boot.inFlight),
  }),
);

/** Jobs not yet fully handed out, oldest first. */
const queue: Job[] = [];
let inFlight = 0;

function reportIfDone(job: Job): void {
  if (job.reported || job.pending > 0 || job.next < job.ids.length) return;
  job.reported = true;
  const { route, ok, gone, failed, error } = job;
  const done: RelayDone = {
    type: 'done',
    route,
    ok,
    gone,
    failed,
    retries: job.retries,
    ...(error === undefined ? {} : { error }),
  };
  port?.postMessage(done);
}

const describe = (error: unknown): string => {
  const cause = error instanceof Error ? error.cause : undefined;
  const text = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return cause === undefined ? text(error) : `${text(error)} (${text(cause)})`;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One delivery as the fan-out makes it: retryable failures retried with its backoff, up to its attempts. */
async function post(job: Job, id: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      job[(await messenger.send(id, job.frame)) === 'sent' ? 'ok' : 'gone'] += 1;
      return;
    } catch (error) {
      job.error ??= describe(error);
      if (!(error instanceof RetryableSendError) || attempt >= SEND_RETRY_POLICY.maxAttempts) {
        job.failed += 1;
        return;
      }
      job.retries += 1;
      await sleep(backoffDelayMs(attempt, SEND_RETRY_POLICY, Math.random));
    }
  }
}

/** Starts POSTs until `inFlight` are in flight or every job is handed out. */
function pump(): void {
  while (inFlight < boot.inFlight) {
    const job = queue[0];
    if (job === undefined) return;
    const id = job.ids[job.next];
    if (id === undefined) {
      queue.shift();
      reportIfDone(job);
      continue;
    }
    job.next += 1;
    job.pending += 1;
    inFlight += 1;
    void post(job, id).then(() => {
      job.pending -= 1;
      inFlight -= 1;
      reportIfDone(job);
      pump();
    });
  }
}

port.on('message', (message: RelayJob) => {
  if (message.type !== 'relay') return;
  queue.push({
    route: message.route,
    ids: message.ids,
    frame: message.frame,
    next: 0,
    pending: 0,
    ok: 0,
    gone: 0,
    failed: 0,
    retries: 0,
    error: undefined,
    reported: false,
  });
  pump();
});

port.postMessage({ type: 'ready' });
