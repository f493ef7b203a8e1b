/**
 * The connection registry: what `$connect` and `$disconnect` do.
 *
 * @module
 */
import { expiresAtFor } from './expiry.js';
import type { ConnectionRecord, ConnectionStore } from './ports.js';

/** What API Gateway tells us about a new connection. */
export interface NewConnection {
  readonly connectionId: string;
  /** Epoch ms; defaults to `nowMs` when the event has none. */
  readonly connectedAt?: number;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * Records a new connection (its `META` item and broadcast membership), expiring 2 h 10 min after `nowMs`.
 * A failure propagates: `$connect` must reject the handshake rather than accept a connection nobody can
 * reach.
 *
 * @example
 * await registerConnection(store, { connectionId: 'abc=', sourceIp: '203.0.113.9' }, Date.now());
 */
export const registerConnection = async (
  store: Pick<ConnectionStore, 'putConnection'>,
  connection: NewConnection,
  nowMs: number,
): Promise<ConnectionRecord> => {
  const record: ConnectionRecord = {
    connectionId: connection.connectionId,
    connectedAt: connection.connectedAt ?? nowMs,
    expiresAt: expiresAtFor(nowMs),
    ...(connection.sourceIp === undefined ? {} : { sourceIp: connection.sourceIp }),
    ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }),
  };
  await store.putConnection(record);
  return record;
};

/** Forgets a connection and every subscription it had. */
export const unregisterConnection = async (
  store: Pick<ConnectionStore, 'removeConnection'>,
  connectionId: string,
): Promise<void> => {
  await store.removeConnection(connectionId);
};
