/**
 * The life of a request: queued while offline, in flight on one socket until its ack or error arrives, and
 * rejected on timeout, when its socket goes away, or on close.
 *
 * Acks are matched by the `id` the client puts in every request. Ids start with a random prefix so that a
 * frame broadcast by another client (anything can be sent to everyone with `sendmessage`) is unlikely to
 * match a request of this one.
 *
 * @module
 */
import { RealtimeError } from './errors.js';
import type { TypedFrame } from './protocol.js';

/** One request the application is waiting for. */
export interface PendingRequest {
  readonly id: string;
  readonly action: string;
  /** The encoded frame. */
  readonly text: string;
  /** Whether the server answers it (`sendmessage` gets no ack). */
  readonly ack: boolean;
  /** The socket it was sent on; undefined while queued. */
  session: number | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly resolve: (frame: TypedFrame) => void;
  readonly reject: (error: RealtimeError) => void;
}

/** Limits of the {@link RequestTracker}. */
export interface RequestLimits {
  /** How long an ack may take once the request is sent. */
  readonly timeoutMs: number;
  /** How many requests may wait for a connection; 0 rejects at once. */
  readonly maxQueued: number;
}

const randomPrefix = (): string => Math.random().toString(36).slice(2, 8).padEnd(6, '0');

/**
 * Tracks queued and sent requests.
 *
 * @example
 * const { entry, promise } = tracker.create('ping', '{"action":"ping","id":"k3x9a1-1"}', 'k3x9a1-1', true);
 * tracker.sent(entry, session);       // starts the ack timeout
 * tracker.settle({ type: 'pong', id: 'k3x9a1-1' }); // resolves promise
 */
export class RequestTracker {
  readonly #limits: RequestLimits;
  readonly #prefix = randomPrefix();
  readonly #inFlight = new Map<string, PendingRequest>();
  #queue: PendingRequest[] = [];
  #counter = 0;

  constructor(limits: RequestLimits) {
    this.#limits = limits;
  }

  /** A new correlation id, unique for this client. */
  nextId(): string {
    this.#counter += 1;
    return `${this.#prefix}-${this.#counter}`;
  }

  /** How many requests are queued. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Creates a request; the caller then either {@link sent}s or {@link enqueue}s it. */
  create(
    action: string,
    text: string,
    id: string,
    ack: boolean,
  ): { entry: PendingRequest; promise: Promise<TypedFrame> } {
    let resolve: (frame: TypedFrame) => void = () => {};
    let reject: (error: RealtimeError) => void = () => {};
    const promise = new Promise<TypedFrame>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    const entry: PendingRequest = {
      id,
      action,
      text,
      ack,
      session: undefined,
      timer: undefined,
      resolve,
      reject,
    };
    return { entry, promise };
  }

  /** The request was written to socket `session`: wait for its ack. */
  sent(entry: PendingRequest, session: number): void {
    entry.session = session;
    this.#inFlight.set(entry.id, entry);
    if (this.#limits.timeoutMs > 0) {
      entry.timer = setTimeout(() => {
        this.#inFlight.delete(entry.id);
        entry.reject(
          new RealtimeError('TIMEOUT', `no reply to ${entry.action} within ${this.#limits.timeoutMs} ms`, {
            requestId: entry.id,
          }),
        );
      }, this.#limits.timeoutMs);
    }
  }

  /**
   * Queues a request until a socket opens.
   *
   * @returns the error to reject it with when the queue cannot take it.
   */
  enqueue(entry: PendingRequest): RealtimeError | undefined {
    const { maxQueued } = this.#limits;
    if (maxQueued === 0) {
      return new RealtimeError('DISCONNECTED', `not connected; ${entry.action} was not sent`, {
        requestId: entry.id,
      });
    }
    if (this.#queue.length >= maxQueued) {
      return new RealtimeError('QUEUE_FULL', `${maxQueued} requests already wait for a connection`, {
        requestId: entry.id,
      });
    }
    this.#queue.push(entry);
    return undefined;
  }

  /** Empties the queue, oldest first, for sending. */
  takeQueued(): PendingRequest[] {
    const queued = this.#queue;
    this.#queue = [];
    return queued;
  }

  /**
   * Settles the request `frame` answers: an `error` frame rejects it with the server's code, anything else
   * resolves it.
   *
   * @returns false when no request in flight has the frame's id.
   */
  settle(frame: TypedFrame): boolean {
    const entry = frame.id === undefined ? undefined : this.#inFlight.get(String(frame.id));
    if (entry === undefined) {
      return false;
    }
    this.#inFlight.delete(entry.id);
    clearTimeout(entry.timer);
    if (frame.type === 'error') {
      const code = typeof frame.code === 'string' ? frame.code : 'INTERNAL_ERROR';
      const message = typeof frame.message === 'string' ? frame.message : code;
      entry.reject(new RealtimeError(code, message, { requestId: entry.id, frame }));
    } else {
      entry.resolve(frame);
    }
    return true;
  }

  /** How many requests sent on `session` still wait for an ack. */
  inFlightOn(session: number): number {
    let count = 0;
    for (const entry of this.#inFlight.values()) {
      if (entry.session === session) {
        count += 1;
      }
    }
    return count;
  }

  /** Rejects every request sent on `session`: its socket is gone and no ack will come. */
  failSession(session: number, code: string, message: string): void {
    for (const entry of [...this.#inFlight.values()]) {
      if (entry.session === session) {
        this.#fail(entry, code, message);
      }
    }
  }

  /** Rejects every request, queued or in flight. */
  failAll(code: string, message: string): void {
    const queued = this.takeQueued();
    for (const entry of [...this.#inFlight.values(), ...queued]) {
      this.#fail(entry, code, message);
    }
  }

  #fail(entry: PendingRequest, code: string, message: string): void {
    this.#inFlight.delete(entry.id);
    clearTimeout(entry.timer);
    entry.reject(new RealtimeError(code, `${entry.action}: ${message}`, { requestId: entry.id }));
  }
}
