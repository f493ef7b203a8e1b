/**
 * A WebSocket stand-in driven by the test: the test plays the server, opening, answering and dropping each
 * socket the client creates. Like a browser's, `close()` fires the `close` event later (on a 0 ms timer).
 */
import type { SocketEvent, WebSocketConstructor, WebSocketLike } from '../../../../client/index.js';

type EventType = 'open' | 'message' | 'close' | 'error';

/** A frame the client sent, parsed. */
export type SentFrame = { readonly action: string; readonly id?: string } & Readonly<Record<string, unknown>>;

/** One socket the client created. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly url: string;
  /** The subprotocols the client asked for, if any. */
  readonly protocols: string[] | undefined;
  /** `Date.now()` when the client created it. */
  readonly createdAt = Date.now();
  /** Raw frames the client sent, in order. */
  readonly sent: string[] = [];
  /** What the client passed to `close()`, if it did. */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  /** Called for every frame the client sends (the scripted server hooks in here). */
  onSend: ((frame: SentFrame, socket: FakeSocket) => void) | undefined;
  readonly #listeners = new Map<EventType, Set<(event: SocketEvent) => void>>();

  constructor(url: string, protocols?: string[]) {
    this.url = url;
    this.protocols = protocols;
  }

  addEventListener(type: EventType, listener: (event: SocketEvent) => void): void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener);
    this.#listeners.set(type, set);
  }

  send(data: string): void {
    if (this.readyState !== 1) {
      throw new Error(`send on a socket in state ${this.readyState}`);
    }
    this.sent.push(data);
    this.onSend?.(JSON.parse(data) as SentFrame, this);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) {
      return;
    }
    this.closedWith = { code, reason };
    this.readyState = 2;
    setTimeout(() => this.#closed(code ?? 1005, reason ?? ''), 0);
  }

  // ── the server's side ──

  /** Completes the handshake. */
  open(): void {
    this.readyState = 1;
    this.#emit('open', {});
  }

  /** Sends a frame to the client: objects as JSON, strings as they are. */
  deliver(frame: unknown): void {
    this.#emit('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Sends a binary frame. */
  deliverBinary(bytes: Uint8Array): void {
    this.#emit('message', { data: bytes });
  }

  /** Answers a request, echoing its id. */
  reply(request: SentFrame, frame: Record<string, unknown>): void {
    this.deliver({ ...frame, id: request.id });
  }

  /** The connection is lost (server close, network, API Gateway limit). */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === 3) {
      return;
    }
    this.#closed(code, reason);
  }

  /** The handshake fails. */
  refuse(): void {
    this.#emit('error', {});
    this.#closed(1006, '');
  }

  /** Every frame the client sent, parsed. */
  get frames(): SentFrame[] {
    return this.sent.map((text) => JSON.parse(text) as SentFrame);
  }

  /** The frames of one action. */
  framesOf(action: string): SentFrame[] {
    return this.frames.filter((frame) => frame.action === action);
  }

  /** The last frame of `action`; fails the test when there is none. */
  last(action: string): SentFrame {
    const frame = this.framesOf(action).at(-1);
    if (frame === undefined) {
      throw new Error(`no ${action} frame was sent; sent: ${this.sent.join(' ')}`);
    }
    return frame;
  }

  #closed(code: number, reason: string): void {
    if (this.readyState === 3) {
      return;
    }
    this.readyState = 3;
    this.#emit('close', { code, reason });
  }

  #emit(type: EventType, event: SocketEvent): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      listener(event);
    }
  }
}

/** Records every socket created through its `WebSocket` constructor. */
export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly WebSocket: WebSocketConstructor;
  /** Called for each new socket, e.g. to attach a scripted server. */
  onSocket: ((socket: FakeSocket) => void) | undefined;

  constructor() {
    const network = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols);
        network.sockets.push(this);
        network.onSocket?.(this);
      }
    };
  }

  /** The most recent socket. */
  get latest(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (socket === undefined) {
      throw new Error('no socket was created');
    }
    return socket;
  }
}
