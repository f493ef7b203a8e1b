/**
 * `$connect`: records the new connection, with the client id and display name given in the query string
 * (`?clientId=…&name=…`); a malformed one refuses the handshake with 400. With auth on, the client id is the
 * token's user: `?clientId=` may only repeat it, and naming anyone else refuses the handshake with 403 (a
 * client cannot appear to others as another user). A user who already has `MAX_CONNECTIONS_PER_USER`
 * connections open is refused with 429. A non-2xx answer makes API Gateway reject the handshake (the local
 * runtime answers the upgrade with that status), which is what we want when the connection could not be
 * recorded too: nobody could ever reach it.
 *
 * A client that sends its token as a subprotocol (`Sec-WebSocket-Protocol: realtime, bearer.<jwt>`) gets
 * `Sec-WebSocket-Protocol: realtime` back: API Gateway passes the chosen subprotocol on only when `$connect`
 * returns it, and a client that offered subprotocols fails a handshake that selects none.
 *
 * @module
 */

import { documentClient, tableName } from '../adapters/clients/dynamodb.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-store.js';
import { readMaxConnectionsPerUser } from '../adapters/env.js';
import { logger } from '../adapters/logger.js';
import { ProtocolError } from '../core/errors.js';
import type { ConnectionStore } from '../core/ports.js';
import { connectionIdentity, registerConnection, userAtCapacity } from '../core/registry.js';
import { headerValue, type WebSocketConnectEvent } from './support/events.js';
import { lambdaEntry } from './support/lambda-entry.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';
import { authorizedName, authorizedUserId } from './support/user.js';

/** The subprotocol `$connect` selects when the client offers it (next to its `bearer.<jwt>` token). */
export const REALTIME_SUBPROTOCOL = 'realtime';

/** `{ 'Sec-WebSocket-Protocol': 'realtime' }` when the client offered `realtime`, else no headers. */
export const subprotocolHeaders = (
  event: WebSocketConnectEvent,
): Readonly<Record<string, string>> | undefined =>
  headerValue(event, 'sec-websocket-protocol')
    ?.split(',')
    .some((protocol) => protocol.trim() === REALTIME_SUBPROTOCOL)
    ? { 'Sec-WebSocket-Protocol': REALTIME_SUBPROTOCOL }
    : undefined;

/** What the `$connect` handler needs. */
export interface ConnectDeps {
  readonly store: Pick<ConnectionStore, 'putConnection' | 'countConnectionsOf'>;
  readonly logger: RouteLogger;
  readonly now: () => number;
  /** Most connections one user may have open (`MAX_CONNECTIONS_PER_USER`; 0: no cap). */
  readonly maxConnectionsPerUser: number;
}

/**
 * The handshake status when auth is on and `?clientId=` names someone other than the token's user (`sub`): the
 * token decides who the connection is, so a client may not present itself as another user.
 */
export const FOREIGN_CLIENT_ID_STATUS = 403;

/** The handshake status when the user already has `MAX_CONNECTIONS_PER_USER` connections open. */
export const TOO_MANY_CONNECTIONS_STATUS = 429;

/**
 * Builds the `$connect` handler: 200 once `META` and the broadcast membership are written, 500 (handshake
 * rejected) when the store fails.
 */
export const makeConnectHandler =
  (deps: ConnectDeps) =>
  async (event: WebSocketConnectEvent): Promise<RouteResponse> => {
    const { connectionId, connectedAt, identity } = event.requestContext;
    const userId = authorizedUserId(event.requestContext);
    let who: ReturnType<typeof connectionIdentity>;
    try {
      who = connectionIdentity(event.queryStringParameters, userId);
    } catch (error) {
      const foreign = error instanceof ProtocolError && error.code === 'FORBIDDEN';
      deps.logger.warn(
        foreign
          ? "connect refused: the clientId is not the token's user"
          : 'connect refused: bad identity in the query string',
        { connectionId, error: error instanceof Error ? error.message : String(error) },
      );
      return { statusCode: foreign ? FOREIGN_CLIENT_ID_STATUS : 400 };
    }
    // With auth, the token's name, when it has one, wins over `?name=` as its user wins over `?clientId=`.
    const tokenName = authorizedName(event.requestContext);
    if (tokenName !== undefined) who = { ...who, name: tokenName };
    // The user the connection will belong to; a connection with neither is a user of its own, never capped.
    const owner = userId ?? who.clientId;
    try {
      if (owner !== undefined && (await userAtCapacity(deps.store, owner, deps.maxConnectionsPerUser))) {
        deps.logger.warn('connect refused: the user has too many connections open', {
          connectionId,
          userId: owner,
          max: deps.maxConnectionsPerUser,
        });
        return { statusCode: TOO_MANY_CONNECTIONS_STATUS };
      }
      await registerConnection(
        deps.store,
        {
          connectionId,
          connectedAt,
          sourceIp: identity?.sourceIp,
          userAgent: identity?.userAgent ?? headerValue(event, 'user-agent'),
          ...who,
          ...(userId === undefined ? {} : { userId }),
        },
        deps.now(),
      );
      const headers = subprotocolHeaders(event);
      return headers === undefined ? { statusCode: 200 } : { statusCode: 200, headers };
    } catch (error) {
      deps.logger.error('connect failed; handshake rejected', {
        connectionId,
        error: error instanceof Error ? error : String(error),
      });
      return { statusCode: 500 };
    }
  };

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeConnectHandler({
    store: new DynamoDbConnectionStore({ client: documentClient, tableName }),
    logger,
    now: () => Date.now(),
    maxConnectionsPerUser: readMaxConnectionsPerUser(),
  }),
);
