/**
 * One warm Lambda execution environment: a child process of its own running `bootstrap.mjs`, like a Lambda
 * sandbox — its working directory is the task root, its `process.env` is exactly the function's (so `TZ=:UTC`
 * applies and `NODE_OPTIONS` from the template takes effect), and its heap is bounded by the function's
 * `MemorySize` the way Lambda's bootstrap bounds it. It handles one invocation at a time, enforces the function's
 * timeout (killing the process, as Lambda discards a timed-out environment) and turns a crash — `process.exit`,
 * an uncaught exception, running out of memory — into an error result for the invocation in flight.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { InvokeResult } from '../model.js';
import type { InvokeMessage, WorkerBootData, WorkerMessage } from './protocol.js';
import { describeError, errorResult, type FailedInvocation, timeoutResult } from './results.js';

const BOOTSTRAP_FILE = new URL('./bootstrap.mjs', import.meta.url);

/** Lambda gives the init phase (importing the module) 10 seconds. */
const INIT_TIMEOUT_MS = 10_000;

/** Everything one execution environment needs. */
export interface WorkerSpec {
  readonly boot: WorkerBootData;
  /** The process's complete `process.env`. */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory: the task root. */
  readonly cwd: string;
  /** Node.js flags of the process (heap limits). */
  readonly execArgv: readonly string[];
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

/** One Lambda execution environment in a child process (see the module comment). */
export class FunctionWorker {
  private readonly child: ChildProcess;
  private readonly ready: Promise<InitOutcome>;
  private settleReady: (outcome: InitOutcome) => void = () => {};
  private inFlight: InFlight | undefined;
  private exited = false;
  private crashed = false;
  private closing = false;
  private lastId = 0;

  /**
   * Starts the process at once (the cold start begins now, not at the first invocation).
   *
   * @param onLog receives every stdout/stderr line of the process.
   * @param onExit called once when the process has ended, whatever the reason.
   */
  constructor(
    private readonly spec: WorkerSpec,
    onLog: (line: string) => void,
    private readonly onExit: (worker: FunctionWorker) => void,
  ) {
    this.ready = new Promise((resolve) => {
      this.settleReady = resolve;
    });
    this.child = fork(BOOTSTRAP_FILE, [JSON.stringify(spec.boot)], {
      cwd: spec.cwd,
      env: { ...spec.env },
      execArgv: [...spec.execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    if (this.child.stdout !== null) forwardLines(this.child.stdout, onLog);
    if (this.child.stderr !== null) forwardLines(this.child.stderr, onLog);
    this.child.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.child.on('error', (error) => {
      this.crashed = true;
      this.fail(describeError(error));
    });
    this.child.on('exit', (code, signal) => this.onExited(code, signal));
  }

  /** The process id of the environment (for tests and logs). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the process has crashed, ended or is being terminated; a dead one takes no invocations. */
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
      this.child.send(message, (error) => {
        if (error !== null && error !== undefined)
          this.finish(id, errorResult('Runtime.ExitError', error.message));
      });
    });
  }

  /** Ends the process; an invocation in flight resolves as an error. */
  async terminate(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
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
        if (!message.ok && message.fatal === true) this.crashed = true;
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

  private onExited(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    const status = code === null ? `signal ${signal}` : `exit status ${code}`;
    const reason = this.closing
      ? 'The execution environment was shut down'
      : `Runtime exited with error: ${status}`;
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
