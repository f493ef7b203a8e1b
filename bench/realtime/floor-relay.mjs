/**
 * One relay thread of the floor server (`floor-server.ts`), run in a `worker_threads` Worker. Plain JavaScript on
 * purpose: it must start under plain node, vitest and tsx alike, without a TypeScript loader (as
 * `local/lambda/worker.mjs` does).
 *
 * It stands in for the Lambda fan-out of the offline runtime with the least that fan-out must do: for each
 * `relay` job, one unsigned keep-alive `POST /@connections/{id}` per recipient to the floor's HTTP server, with at
 * most `inFlight` POSTs in flight across all jobs of this thread. No signing, no SDK, no DynamoDB. Every job gets
 * exactly one `done` message with its counts; failures are counted, never thrown.
 *
 * Messages:
 * - in:  `{ type: 'relay', route: string, ids: string[], frame: string }`
 * - out: `{ type: 'ready' }` once, then `{ type: 'done', route, ok, gone, failed, error? }` per job
 *   (`ok` = 200, `gone` = 410, `failed` = anything else or a network error; `error` = the job's first failure).
 *
 * @module
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The `workerData` of this thread.
 *
 * @typedef {object} RelayBoot
 * @property {number} port          the floor's HTTP server, on 127.0.0.1
 * @property {number} inFlight      most POSTs in flight at once
 * @property {number} maxSockets    keep-alive sockets of the agent
 * @property {number} timeoutMs     a POST whose socket is idle this long fails
 */

/**
 * One fan-out in progress.
 *
 * @typedef {object} Job
 * @property {string} route
 * @property {string[]} ids
 * @property {string} frame
 * @property {number} bytes     UTF-8 length of `frame`
 * @property {number} next      index of the next id to post
 * @property {number} pending   POSTs of this job in flight
 * @property {number} ok
 * @property {number} gone
 * @property {number} failed
 * @property {string | undefined} error
 * @property {boolean} reported
 */

/** @type {RelayBoot} */
const boot = workerData;
const port = parentPort;
if (port === null) throw new Error('floor-relay.mjs must run in a worker thread');

const agent = new Agent({ keepAlive: true, maxSockets: boot.maxSockets });

/** Jobs not yet fully handed out, oldest first. @type {Job[]} */
const queue = [];
let inFlight = 0;

/**
 * POSTs one frame to one connection and settles with how it went; never rejects.
 *
 * The body goes as a string, not a Buffer: Node then sends headers and body in one write, as a lean client would.
 *
 * @param {string} id
 * @param {Job} job
 * @returns {Promise<{ outcome: 'ok' | 'gone' | 'failed', error?: string }>}
 */
function post(id, job) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: boot.port,
        method: 'POST',
        path: `/@connections/${encodeURIComponent(id)}`,
        agent,
        timeout: boot.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': job.bytes },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => {
          if (status === 200) resolve({ outcome: 'ok' });
          else if (status === 410) resolve({ outcome: 'gone' });
          else resolve({ outcome: 'failed', error: `HTTP ${status}` });
        });
        res.on('error', (error) => resolve({ outcome: 'failed', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${boot.timeoutMs} ms`)));
    req.on('error', (error) => resolve({ outcome: 'failed', error: error.message }));
    req.end(job.frame);
  });
}

/** @param {Job} job */
function reportIfDone(job) {
  if (job.reported || job.pending > 0 || job.next < job.ids.length) return;
  job.reported = true;
  const { ok, gone, failed, error } = job;
  port.postMessage({ type: 'done', route: job.route, ok, gone, failed, error });
}

/** Starts POSTs until `inFlight` are in flight or every job is handed out. Each pass either starts one or drops a job. */
function pump() {
  while (inFlight < boot.inFlight) {
    const job = queue[0];
    if (job === undefined) return;
    if (job.next >= job.ids.length) {
      queue.shift();
      reportIfDone(job);
      continue;
    }
    const id = job.ids[job.next];
    job.next += 1;
    job.pending += 1;
    inFlight += 1;
    post(id, job).then(({ outcome, error }) => {
      job[outcome] += 1;
      if (error !== undefined && job.error === undefined) job.error = error;
      job.pending -= 1;
      inFlight -= 1;
      reportIfDone(job);
      pump();
    });
  }
}

port.on('message', (message) => {
  if (message?.type !== 'relay') return;
  queue.push({
    route: message.route,
    ids: message.ids,
    frame: message.frame,
    bytes: Buffer.byteLength(message.frame),
    next: 0,
    pending: 0,
    ok: 0,
    gone: 0,
    failed: 0,
    error: undefined,
    reported: false,
  });
  pump();
});

port.postMessage({ type: 'ready' });
