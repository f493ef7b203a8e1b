/**
 * The seams of the core: the only two things business logic needs from the outside world. Adapters in
 * `lambdas/adapters/` implement them on DynamoDB and the API Gateway Management API; tests use fakes.
 *
 * @module
 */

/** What we remember about an open connection (the `META` item). */
export interface ConnectionRecord {
  readonly connectionId: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  readonly connectedAt: number;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** When the item may be reaped by DynamoDB TTL, epoch **seconds**. */
  readonly expiresAt: number;
}

/** Who is connected and who is subscribed to what. */
export interface ConnectionStore {
  /** Writes the connection's `META` item and its broadcast membership. */
  putConnection(c: ConnectionRecord): Promise<void>;
  /** Deletes every item of that connection: `META`, broadcast membership and all subscriptions. */
  removeConnection(connectionId: string): Promise<void>;
  /** Subscribes a connection to a channel; idempotent. `expiresAt` is epoch seconds. */
  subscribe(connectionId: string, channel: string, expiresAt: number): Promise<void>;
  /** Removes one subscription; idempotent. */
  unsubscribe(connectionId: string, channel: string): Promise<void>;
  /** The subscribers of a channel, one page of connection ids at a time. */
  subscribers(channel: string): AsyncIterable<string[]>;
  /** All open connections, page by page. */
  everyone(): AsyncIterable<string[]>;
  /** Atomically increments the channel's counter and returns the new value (1 for the first publish). */
  nextSequence(channel: string): Promise<number>;
}

/** Pushes frames to connections. */
export interface Messenger {
  /**
   * Sends one text frame. Resolves `'gone'` when the connection no longer exists; throws
   * `RetryableSendError` on throttling, 5xx and network failures, and anything else as is.
   */
  send(connectionId: string, frame: string): Promise<'sent' | 'gone'>;
}
