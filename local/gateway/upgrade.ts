/**
 * The upgrade path of the gateway, in API Gateway's order: the handshake (throttle, authorizer, `$connect`) runs
 * while the client waits, and only a 2xx from `$connect` completes the WebSocket upgrade (`noServer` +
 * `handleUpgrade`, as in the `ws` README's "Client authentication"); anything else is a bare status line.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { WebSocketApiModel } from '../model.js';
import { type HandshakeContext, type ResponseHeaders, runConnectHandshake } from './connect-handshake.js';
import { Connection, type ConnectionContext } from './connection.js';
import { CloseCode, GOING_AWAY_REASON } from './constants.js';
import { runDisconnect } from './disconnect.js';
import type { ConnectionInfo } from './event-format.js';
import { readHandshakeRequest } from './handshake-request.js';
import { refuseUpgrade } from './http-responses.js';
import { newApiGatewayId } from './ids.js';

/** What the upgrade path needs from the gateway. */
export interface UpgradeContext {
  readonly api: WebSocketApiModel;
  readonly handshake: HandshakeContext;
  readonly connection: ConnectionContext;
  /** A `noServer` server whose `headers` event adds {@link UpgradeContext.responseHeaders} to the 101. */
  readonly wss: WebSocketServer;
  readonly responseHeaders: WeakMap<IncomingMessage, ResponseHeaders>;
  readonly listener: () => { readonly host: string; readonly port: number };
  readonly isClosing: () => boolean;
  readonly register: (connection: Connection) => void;
}

/** True for the paths the WebSocket endpoint answers on: `/` and `/<stage>`. */
export function isEndpointPath(pathname: string, stage: string): boolean {
  return pathname === '/' || pathname === `/${stage}` || pathname === `/${stage}/`;
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** The checks `ws` would make, done before `$connect` runs so a malformed request never reaches a Lambda. */
function isWebSocketHandshake(req: IncomingMessage): boolean {
  const version = req.headers['sec-websocket-version'];
  return (
    req.method === 'GET' &&
    req.headers.upgrade?.toLowerCase() === 'websocket' &&
    KEY.test(req.headers['sec-websocket-key'] ?? '') &&
    (version === '13' || version === '8')
  );
}

/**
 * Handles one upgrade request from start to end; resolves when the request was refused, or when the connection
 * it opened has closed and its `$disconnect` has returned.
 */
export async function handleUpgrade(
  context: UpgradeContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  // A client that resets while `$connect` runs must not crash the process with an unhandled 'error'.
  socket.on('error', () => socket.destroy());
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (context.isClosing()) return refuseUpgrade(socket, 503);
  // API Gateway answers 403 for a URL that is not the stage's.
  if (!isEndpointPath(pathname, context.api.stageName)) return refuseUpgrade(socket, 403);
  if (!isWebSocketHandshake(req)) return refuseUpgrade(socket, 400);

  const request = readHandshakeRequest(req, context.listener());
  const info: ConnectionInfo = {
    connectionId: newApiGatewayId(),
    connectedAt: Date.now(),
    apiId: context.api.apiId,
    stage: context.api.stageName,
    domainName: request.domainName,
    identity: { sourceIp: request.sourceIp, userAgent: request.userAgent },
  };
  const stamp = { requestId: newApiGatewayId(), requestTimeEpoch: info.connectedAt };
  const outcome = await runConnectHandshake(context.handshake, info, stamp, request);
  if (!outcome.accepted) return refuseUpgrade(socket, outcome.statusCode);

  context.responseHeaders.set(req, outcome.headers);
  const accepted: { connection?: Connection } = {};
  if (!socket.destroyed && socket.readable && socket.writable) {
    context.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted.connection = new Connection(context.connection, ws, socket, info, outcome.authorizer);
    });
  }
  const connection = accepted.connection;
  if (!connection) {
    // `$connect` said yes but the client left while it ran: API Gateway still sends `$disconnect`.
    socket.destroy();
    const route = context.connection.routes.get('$disconnect');
    const status = { code: CloseCode.abnormal, reason: '' };
    return runDisconnect(context.connection.recorder, route, info, status, outcome.authorizer);
  }
  context.register(connection);
  if (context.isClosing()) connection.close(CloseCode.goingAway, GOING_AWAY_REASON);
  await connection.finished;
}
