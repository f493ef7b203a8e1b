/**
 * The execution environments of one function: at most `maxWorkers` warm workers, created lazily (the first
 * invocation that finds no idle worker pays the cold start), reused while they live, and replaced when they
 * crash or time out. Invocations beyond the bound wait in a FIFO queue, as Lambda would throttle them at the
 * function's reserved concurrency — except that offline they wait instead of failing.
 *
 * @module
 */
import type { InvokeResult } from '../model.js';
import { FunctionWorker, type WorkerSpec } from './execution-environment.js';
import { describeError, errorResult } from './results.js';

/** A queued invocation. */
interface Job {
  readonly event: string;
  readonly awsRequestId: string;
  readonly resolve: (result: InvokeResult) => void;
}

/** A snapshot of one pool, for logs and tests. */
export interface PoolStats {
  /** Live workers (busy or idle). */
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
}

/** The bounded, lazily grown pool of workers of one function (see the module comment). */
export class FunctionPool {
  private readonly workers = new Set<FunctionWorker>();
  private readonly idle: FunctionWorker[] = [];
  private readonly queue: Job[] = [];
  private busy = 0;
  private closed = false;

  /**
   * @param createSpec builds a worker's spec; called at each cold start, so it sees the runtime's current
   *   state (e.g. gateway ports). A throw fails the invocation that needed the worker.
   * @param maxWorkers upper bound of concurrent executions.
   * @param onLog receives each output line of any worker.
   */
  constructor(
    private readonly createSpec: () => WorkerSpec,
    private readonly maxWorkers: number,
    private readonly onLog: (line: string) => void,
  ) {}

  /** Runs one invocation on a free worker, queuing it while all `maxWorkers` are busy. */
  invoke(event: string, awsRequestId: string): Promise<InvokeResult> {
    if (this.closed) return Promise.resolve(errorResult('Runtime.Closed', 'The Lambda runtime is shut down'));
    return new Promise((resolve) => {
      this.queue.push({ event, awsRequestId, resolve });
      this.pump();
    });
  }

  /** Current number of workers, busy workers and queued invocations. */
  stats(): PoolStats {
    return { workers: this.workers.size, busy: this.busy, queued: this.queue.length };
  }

  /** Fails queued invocations and terminates every worker (invocations in flight resolve as errors). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.resolve(errorResult('Runtime.Closed', 'The Lambda runtime is shut down'));
    }
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
    this.workers.clear();
    this.idle.length = 0;
  }

  /** Starts as many queued invocations as idle workers and the bound allow. */
  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.takeIdle() ?? this.spawn();
      if (worker === 'full') return;
      const job = this.queue.shift();
      if (job === undefined) return;
      if (worker instanceof FunctionWorker) void this.run(worker, job);
      else job.resolve(worker);
    }
  }

  /** The most recently used idle worker that is still alive (the warmest), if any. */
  private takeIdle(): FunctionWorker | undefined {
    let worker = this.idle.pop();
    while (worker !== undefined && !worker.alive) worker = this.idle.pop();
    return worker;
  }

  /** A new worker, `'full'` at the bound, or the failure of building its spec. */
  private spawn(): FunctionWorker | 'full' | InvokeResult {
    if (this.workers.size >= this.maxWorkers) return 'full';
    let spec: WorkerSpec;
    try {
      spec = this.createSpec();
    } catch (error) {
      const { errorType, errorMessage } = describeError(error);
      return errorResult(errorType, errorMessage);
    }
    const worker = new FunctionWorker(spec, this.onLog, (dead) => this.forget(dead));
    this.workers.add(worker);
    return worker;
  }

  private async run(worker: FunctionWorker, job: Job): Promise<void> {
    this.busy++;
    const result = await worker.invoke(job.event, job.awsRequestId);
    this.busy--;
    if (worker.alive && !this.closed) this.idle.push(worker);
    else this.forget(worker);
    job.resolve(result);
    this.pump();
  }

  /** Drops a dead worker, freeing its slot. */
  private forget(worker: FunctionWorker): void {
    this.workers.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    if (!this.closed) this.pump();
  }
}
