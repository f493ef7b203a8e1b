import WebSocket from 'ws';

/** A received text frame, parsed as JSON when it is JSON. */
export type Frame = { readonly raw: string; readonly json: unknown };

/**
 * A real `ws` client that keeps every frame it receives, so a test can wait for the next frame that matches,
 * with a deadline, instead of racing the network.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private consumed = new Set<Frame>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      const frame: Frame = { raw, json: parseOrUndefined(raw) };
      this.frames.push(frame);
      for (const [i, w] of this.waiters.entries()) {
        if (w.match(frame)) {
          this.waiters.splice(i, 1);
          this.consumed.add(frame);
          w.resolve(frame);
          break;
        }
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Opens a connection and resolves once it is open (rejects with the HTTP status on a refused handshake). */
  static open(
    url: string,
    protocols: string[] = [],
    options: WebSocket.ClientOptions = {},
  ): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, options);
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`handshake refused: ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Sends a JSON request (or a raw string as-is). */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first frame (not yet returned by an earlier call) that matches, or rejects after `ms`. */
  next(
    match: (json: Record<string, unknown>, raw: string) => boolean = () => true,
    ms = 10_000,
  ): Promise<Frame> {
    const test = (f: Frame) =>
      match((typeof f.json === 'object' && f.json !== null ? f.json : {}) as Record<string, unknown>, f.raw);
    const found = this.frames.find((f) => !this.consumed.has(f) && test(f));
    if (found) {
      this.consumed.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match: test,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `no matching frame within ${ms} ms; received: ${this.frames.map((f) => f.raw).join(' | ')}`,
          ),
        );
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Sends a request and waits for the reply of the given `type` (ack, pong or error). */
  async request(message: Record<string, unknown>, type: string): Promise<Record<string, unknown>> {
    this.send(message);
    const frame = await this.next((json) => json.type === type);
    return frame.json as Record<string, unknown>;
  }

  /** Closes the connection and waits until the close handshake is done. */
  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close(1000, 'bye');
    await this.closed;
  }
}

function parseOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
