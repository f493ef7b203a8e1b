/**
 * `startGateway`: one HTTP server that is both the WebSocket endpoint (`/` and `/<stage>`) and the Management
 * API (`/<stage>/@connections/{id}` and `/@connections/{id}`), like an API Gateway stage.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import type { ResponseHeaders } from './connect-handshake.js';
import type { Connection } from './connection.js';
import { CloseCode, GOING_AWAY_REASON, MESSAGE_LIMIT_BYTES } from './constants.js';
import { PortInUseError } from './errors.js';
import { sendAwsError } from './http-responses.js';
import { InvocationRecorder } from './invocation.js';
import { handleManagementRequest, managementConnectionId } from './management-api.js';
import { type GatewayOptions, type RunningGateway, resolveGatewayOptions } from './options.js';
import { compileRouteSelection } from './route-selection.js';
import { StageThrottle } from './throttle.js';
import { handleUpgrade, isEndpointPath } from './upgrade.js';

/**
 * Serves one WebSocket API locally with API Gateway's behaviour: routes, `$connect` and its authorizer,
 * `$disconnect`, frame and message limits, idle and maximum-duration timeouts, and the Management API.
 *
 * @example
 * const gateway = await startGateway({ api, invoke: (id, event) => pool.invoke(id, event) });
 * console.log(gateway.url, gateway.managementUrl);
 * await gateway.close();
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const settings = resolveGatewayOptions(options);
  const { api } = settings;
  const routes = new Map(api.routes.map((route) => [route.routeKey, route]));
  const selectRouteKey = compileRouteSelection(api.routeSelectionExpression);
  const recorder = new InvocationRecorder(api.name, settings.invoke, settings.onInvocation);
  const throttle = StageThrottle.of(api);
  const connections = new Map<string, Connection>();
  const lifecycles = new Set<Promise<void>>();
  const responseHeaders = new WeakMap<IncomingMessage, ResponseHeaders>();
  let closing = false;
  let port = settings.port;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // API Gateway negotiates no extensions, and frame limits apply to the bytes on the wire.
    perMessageDeflate: false,
    // A backstop: the frame watcher closes first, with the same 1009.
    maxPayload: MESSAGE_LIMIT_BYTES,
    // Never echo the client's subprotocol: only a `Sec-WebSocket-Protocol` returned by `$connect` is sent.
    handleProtocols: () => false,
  });
  wss.on('headers', (lines: string[], req: IncomingMessage) => {
    for (const [name, value] of responseHeaders.get(req) ?? []) lines.push(`${name}: ${value}`);
  });

  const upgradeContext = {
    api,
    handshake: { region: settings.region, connectRoute: routes.get('$connect'), recorder, throttle },
    connection: {
      routes,
      selectRouteKey,
      recorder,
      throttle,
      idleTimeoutMs: settings.idleTimeoutMs,
      maxConnectionMs: settings.maxConnectionMs,
      onClosed: (connection: Connection) => connections.delete(connection.id),
    },
    wss,
    responseHeaders,
    listener: () => ({ host: settings.host, port }),
    isClosing: () => closing,
    register: (connection: Connection) => connections.set(connection.id, connection),
  };

  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const connectionId = managementConnectionId(pathname, api.stageName);
    if (connectionId !== undefined) {
      handleManagementRequest(
        req,
        res,
        connectionId,
        (id) => connections.get(id),
        settings.managementFault,
      ).catch(() => res.destroy());
    } else if (isEndpointPath(pathname, api.stageName)) {
      sendAwsError(
        res,
        426,
        'UpgradeRequired',
        'This is a WebSocket endpoint: connect with a WebSocket client',
      );
    } else {
      sendAwsError(res, 404, 'NotFoundException', 'Not Found');
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const lifecycle = handleUpgrade(upgradeContext, req, socket, head).catch(() => {
      socket.destroy();
    });
    lifecycles.add(lifecycle);
    void lifecycle.finally(() => lifecycles.delete(lifecycle));
  });

  port = await listen(server, settings.host, settings.port);
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `ws://${hostInUrl}:${port}`,
    managementUrl: `http://${hostInUrl}:${port}/${api.stageName}`,
    connectionCount: () => connections.size,
    close: () => {
      closed ??= (async () => {
        closing = true;
        for (const connection of connections.values())
          connection.close(CloseCode.goingAway, GOING_AWAY_REASON);
        await Promise.all([...lifecycles]);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

/** Listens and resolves with the bound port; a taken port rejects with {@link PortInUseError}. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: error }) : error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
