/**
 * The connection registry: what `$connect` and `$disconnect` do.
 *
 * @module
 */
import { IDENTIFIER_PATTERN, MAX_NAME_LENGTH } from './constants.js';
import { ProtocolError } from './errors.js';
import { expiresAtFor } from './expiry.js';
import type { FanOutOptions } from './fan-out.js';
import type { ConnectionRecord, ConnectionStore } from './ports.js';
import { announceDeparture, type PresencePorts } from './presence.js';

/** What API Gateway tells us about a new connection, and who the client says it is. */
export interface NewConnection {
  readonly connectionId: string;
  /** Epoch ms; defaults to `nowMs` when the event has none. */
  readonly connectedAt?: number;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /**
   * `?clientId=` (auth off) or the token's user (auth on, see {@link connectionIdentity}): stable across the
   * client's reconnections. @default the connection id
   */
  readonly clientId?: string;
  /** `?name=`: a display name. */
  readonly name?: string;
  /** The authorizer's `userId`, when auth is on. @default the client id */
  readonly userId?: string;
}

/** Control characters have no place in a display name shown to other users. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Reads the client's identity from the `$connect` query string.
 *
 * @throws {ProtocolError} `INVALID_REQUEST` for a malformed `clientId` or `name`.
 */
export const identityFromQuery = (
  query: Readonly<Record<string, string | undefined>> | null | undefined,
): { clientId?: string; name?: string } => {
  const clientId = query?.clientId;
  const name = query?.name;
  if (clientId !== undefined && !IDENTIFIER_PATTERN.test(clientId)) {
    throw new ProtocolError('INVALID_REQUEST', 'clientId must be 1-64 of A-Z a-z 0-9 _ - . : @');
  }
  if (name !== undefined && (name.length > MAX_NAME_LENGTH || CONTROL_CHARACTERS.test(name))) {
    throw new ProtocolError(
      'INVALID_REQUEST',
      `name must be at most ${MAX_NAME_LENGTH} characters, without control characters`,
    );
  }
  return {
    ...(clientId === undefined ? {} : { clientId }),
    ...(name === undefined || name === '' ? {} : { name }),
  };
};

/**
 * Who a new connection is, from the `$connect` query string and, with auth on, the authorizer's `userId`. With
 * auth the token is the authority, as a token bound to a client id is in Ably: the connection's `clientId` *is*
 * the user id, so `?clientId=` may be left out or repeat it, and one user's tabs are one client with several
 * connections. Without auth (`userId` undefined) the client id is the client's own choice, as before.
 *
 * @throws {ProtocolError} `INVALID_REQUEST` for a malformed `clientId` or `name` (see {@link identityFromQuery});
 *   `FORBIDDEN` when auth is on and `?clientId=` names someone other than the token's user.
 * @example
 * connectionIdentity({ name: 'Ann' }, 'alice'); // { clientId: 'alice', name: 'Ann' }
 * connectionIdentity({ clientId: 'bob' }, 'alice'); // throws FORBIDDEN
 */
export const connectionIdentity = (
  query: Readonly<Record<string, string | undefined>> | null | undefined,
  userId: string | undefined,
): { clientId?: string; name?: string } => {
  if (userId === undefined) return identityFromQuery(query);
  // The token's user may be longer than a chosen client id may (128 characters against 64): a `?clientId=`
  // that repeats it is accepted as it is, not held to the shorter rule.
  const repeatsUser = query?.clientId === userId;
  const claimed = identityFromQuery(repeatsUser ? { ...query, clientId: undefined } : query);
  if (claimed.clientId !== undefined && claimed.clientId !== userId) {
    throw new ProtocolError(
      'FORBIDDEN',
      `clientId ${JSON.stringify(claimed.clientId)} is not the token's user ${JSON.stringify(userId)}: leave it out or send the user id`,
    );
  }
  return { ...claimed, clientId: userId };
};

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
  const clientId = connection.clientId ?? connection.connectionId;
  const record: ConnectionRecord = {
    connectionId: connection.connectionId,
    connectedAt: connection.connectedAt ?? nowMs,
    expiresAt: expiresAtFor(nowMs),
    clientId,
    userId: connection.userId ?? clientId,
    ...(connection.name === undefined ? {} : { name: connection.name }),
    ...(connection.sourceIp === undefined ? {} : { sourceIp: connection.sourceIp }),
    ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }),
  };
  await store.putConnection(record);
  return record;
};

/**
 * Whether `userId` already has `max` connections open (so one more would exceed the cap). One `Query` on the
 * `byUser` index that counts at most `max + 1` entries, whatever the user has open; skipped when the cap is
 * off (`max` 0). The index is eventually consistent, so connections opened in the same instant can overshoot
 * the cap by a few; it bounds abuse, it is not a lock.
 */
export const userAtCapacity = async (
  store: Pick<ConnectionStore, 'countConnectionsOf'>,
  userId: string,
  max: number,
): Promise<boolean> => max > 0 && (await store.countConnectionsOf(userId, max + 1)) >= max;

/** Forgets a connection and everything it had, and announces its `leave` where it was present. */
export const unregisterConnection = async (
  ports: PresencePorts,
  connectionId: string,
  options: FanOutOptions,
): Promise<void> => {
  const removed = await ports.store.removeConnection(connectionId);
  await announceDeparture(ports, removed, options);
};
