/**
 * One warm Lambda execution environment: a `worker_threads` Worker running `worker.mjs` with its own
 * `process.env`, handling one invocation at a time. It enforces the function's timeout (terminating itself, as
 * Lambda discards a timed-out environment) and turns a crash — `process.exit`, an uncaught exception — into an
 * error result for the invocation in flight.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { InvokeResult } from '../model.js';
import type { InvokeMessage, WorkerBootData, WorkerMessage } from './protocol.js';
import { describeError, errorResult, type FailedInvocation, timeoutResult } from './results.js';

const WORKER_FILE = new URL('./worker.mjs', import.meta.url);

/** Lambda gives the init phase (importing the module) 10 seconds. */
const INIT_TIMEOUT_MS = 10_000;

/** Everything one worker needs. */
export interface WorkerSpec {
  readonly boot: WorkerBootData;
  /** The worker's complete `process.env`. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

type InitOutcome = { readonly ok: true } | FailedInvocation;

interface InFlight {
  readonly id: number;
  readonly started: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: InvokeResult) => void;
}

/** Hands every complete line of `stream` to `sink`. */
function forwardLines(stream: Readable, sink: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', sink);
}

/** One Lambda execution environment in a worker thread (see the module comment). */
export class FunctionWorker {
  private readonly worker: Worker;
  private readonly ready: Promise<InitOutcome>;
  private settleReady: (outcome: InitOutcome) => void = () => {};
  private inFlight: InFlight | undefined;
  private exited = false;
  private crashed = false;
  private closing = false;
  private lastId = 0;

  /**
   * Starts the worker at once (the cold start begins now, not at the first invocation).
   *
   * @param onLog receives every stdout/stderr line of the worker.
   * @param onExit called once when the worker thread has ended, whatever the reason.
   */
  constructor(
    private readonly spec: WorkerSpec,
    onLog: (line: string) => void,
    private readonly onExit: (worker: FunctionWorker) => void,
  ) {
    this.ready = new Promise((resolve) => {
      this.settleReady = resolve;
    });
    this.worker = new Worker(WORKER_FILE, {
      workerData: spec.boot,
      env: { ...spec.env },
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    forwardLines(this.worker.stdout, onLog);
    forwardLines(this.worker.stderr, onLog);
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => {
      this.crashed = true;
      this.fail(describeError(error));
    });
    this.worker.on('exit', (code) => this.onExited(code));
  }

  /** False once the thread has crashed, ended or is being terminated; a dead worker takes no invocations. */
  get alive(): boolean {
    return !this.exited && !this.crashed && !this.closing;
  }

  /**
   * Runs one invocation. Waits for the cold start first (which does not count against the timeout, as in
   * Lambda, but is bounded by Lambda's 10-second init limit).
   */
  async invoke(event: string, awsRequestId: string): Promise<InvokeResult> {
    const initStarted = performance.now();
    const init = await this.initOutcome();
    if (!init.ok) return { ...init, durationMs: performance.now() - initStarted };
    if (!this.alive || this.inFlight !== undefined) {
      return errorResult('Runtime.ExitError', 'The execution environment is no longer available');
    }
    return new Promise((resolve) => {
      const id = ++this.lastId;
      const timeoutMs = this.spec.timeoutSeconds * 1000;
      const timer = setTimeout(() => {
        this.finish(id, timeoutResult(this.spec.timeoutSeconds, timeoutMs));
        void this.terminate();
      }, timeoutMs);
      this.inFlight = { id, started: performance.now(), timer, resolve };
      const message: InvokeMessage = {
        type: 'invoke',
        id,
        event,
        awsRequestId,
        deadlineMs: Date.now() + timeoutMs,
      };
      this.worker.postMessage(message);
    });
  }

  /** Ends the thread; an invocation in flight resolves as an error. */
  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private async initOutcome(): Promise<InitOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InitOutcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          ...timeoutResult(INIT_TIMEOUT_MS / 1000, INIT_TIMEOUT_MS),
          errorMessage: `Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
        });
        void this.terminate();
      }, INIT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.ready, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.settleReady({ ok: true });
        return;
      case 'init-error':
        this.settleReady(errorResult(message.errorType, message.errorMessage));
        void this.terminate();
        return;
      case 'result':
        this.finish(
          message.id,
          message.ok
            ? { ok: true, value: JSON.parse(message.json) as unknown, durationMs: 0 }
            : errorResult(message.errorType, message.errorMessage),
        );
        return;
    }
  }

  /** A crash: fails the cold start or the invocation in flight. */
  private fail(error: { errorType: string; errorMessage: string }): void {
    this.settleReady(errorResult(error.errorType, error.errorMessage));
    if (this.inFlight !== undefined)
      this.finish(this.inFlight.id, errorResult(error.errorType, error.errorMessage));
  }

  private onExited(code: number): void {
    this.exited = true;
    const reason = this.closing
      ? 'The execution environment was shut down'
      : `Runtime exited with error: exit status ${code}`;
    this.fail({ errorType: 'Runtime.ExitError', errorMessage: reason });
    this.onExit(this);
  }

  /** Resolves invocation `id` (if still in flight) with `result`, stamping its duration. */
  private finish(id: number, result: InvokeResult): void {
    const current = this.inFlight;
    if (current === undefined || current.id !== id) return;
    clearTimeout(current.timer);
    this.inFlight = undefined;
    current.resolve({ ...result, durationMs: performance.now() - current.started });
  }
}
