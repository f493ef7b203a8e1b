/**
 * One open client connection after `$connect` accepted it: its limits and timers, message routing, the frames
 * the gateway answers with, and `$disconnect` exactly once when it ends.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { RouteModel } from '../model.js';
import { CLOSE_HANDSHAKE_TIMEOUT_MS, CloseCode, GOING_AWAY_REASON } from './constants.js';
import { type CloseStatus, runDisconnect } from './disconnect.js';
import { type AuthorizerContext, type ConnectionInfo, messageEvent } from './event-format.js';
import { FrameLimitWatcher } from './frame-limits.js';
import { gatewayMessage, routeResponseFrame } from './gateway-messages.js';
import { newApiGatewayId } from './ids.js';
import type { InvocationRecorder } from './invocation.js';
import { type RouteKeySelector, selectRoute } from './route-selection.js';
import type { StageThrottle } from './throttle.js';

/** What every connection of one gateway shares. */
export interface ConnectionContext {
  readonly routes: ReadonlyMap<string, RouteModel>;
  readonly selectRouteKey: RouteKeySelector;
  readonly recorder: InvocationRecorder;
  readonly throttle?: StageThrottle;
  /** Close with 1001 after this long without a client message (pings do not count). */
  readonly idleTimeoutMs: number;
  /** Close with 1001 this long after `connectedAt`, active or not. */
  readonly maxConnectionMs: number;
  /** Called once, when the socket has closed and before `$disconnect` runs. */
  readonly onClosed: (connection: Connection) => void;
}

/** `ws` receiver errors and the close code `ws` answers each with. */
const WS_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.messageTooBig,
  WS_ERR_INVALID_UTF8: CloseCode.invalidPayload,
};

/** A connected client, as API Gateway sees it. */
export class Connection {
  /** Resolves when the connection has closed, `$disconnect` has returned and no invocation is in flight. */
  readonly finished: Promise<void>;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closeStatus: CloseStatus | undefined;
  private lastActive: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly idleTimer: NodeJS.Timeout;
  private readonly expiryTimer: NodeJS.Timeout;
  private terminateTimer: NodeJS.Timeout | undefined;
  private resolveFinished: () => void = () => {};

  constructor(
    private readonly context: ConnectionContext,
    private readonly ws: WebSocket,
    socket: Duplex,
    readonly info: ConnectionInfo,
    private readonly authorizer: AuthorizerContext | undefined,
  ) {
    this.lastActive = info.connectedAt;
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    // Runs before `ws` parses the same bytes, so an oversized frame is caught from its header alone.
    const watcher = new FrameLimitWatcher();
    socket.prependListener('data', (chunk: Buffer) => {
      const violation = watcher.push(chunk);
      if (violation) this.close(violation.code, violation.reason);
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => this.onError(error));
    ws.on('close', (code, reason) => void this.onClose({ code, reason: reason.toString('utf8') }));
    const goAway = () => this.close(CloseCode.goingAway, GOING_AWAY_REASON);
    this.idleTimer = setTimeout(goAway, context.idleTimeoutMs);
    const remaining = info.connectedAt + context.maxConnectionMs - Date.now();
    this.expiryTimer = setTimeout(goAway, Math.max(0, remaining));
  }

  /** The connection id clients and the Management API use. */
  get id(): string {
    return this.info.connectionId;
  }

  /** False from the moment either side starts closing: the Management API answers 410 from then on. */
  get isOpen(): boolean {
    return this.state === 'open' && this.ws.readyState === this.ws.OPEN;
  }

  /** Epoch ms of the last client message (or of the connect). */
  get lastActiveAt(): number {
    return this.lastActive;
  }

  /** Sends a text frame; `false` when the connection is no longer open. */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.ws.send(text);
    return true;
  }

  /**
   * Closes from the server side with `code`/`reason`, which `$disconnect` then reports. A client that does not
   * answer the close frame within {@link CLOSE_HANDSHAKE_TIMEOUT_MS} is dropped.
   */
  close(code: number, reason: string): void {
    // A close the client already started keeps the client's code and reason.
    if (!this.isOpen) return;
    this.state = 'closing';
    this.closeStatus = { code, reason };
    this.clearTimers();
    this.ws.close(code, reason);
    this.terminateTimer = setTimeout(() => this.ws.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (!this.isOpen) return;
    if (isBinary) {
      this.close(CloseCode.unsupportedData, 'Binary frames are not supported');
      return;
    }
    this.lastActive = Date.now();
    // Only client messages count as activity; `ws` answers pings without emitting 'message'.
    this.idleTimer.refresh();
    const work = this.handleMessage(textOf(data));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handleMessage(body: string): Promise<void> {
    const requestId = newApiGatewayId();
    // The route is selected first: a route with its own throttle takes from its own bucket.
    const route = selectRoute(this.context.routes, this.context.selectRouteKey, body);
    if (this.context.throttle && !this.context.throttle.tryTake(route?.routeKey)) {
      this.send(gatewayMessage('Too many requests', this.id, requestId));
      return;
    }
    if (!route) {
      this.send(gatewayMessage('Forbidden', this.id, requestId));
      return;
    }
    const stamp = { requestId, requestTimeEpoch: Date.now() };
    const event = messageEvent(this.info, stamp, newApiGatewayId(), route.routeKey, body, this.authorizer);
    const result = await this.context.recorder.invoke({
      routeKey: route.routeKey,
      connectionId: this.id,
      functionId: route.functionId,
      event,
    });
    if (!result.ok) {
      this.send(gatewayMessage('Internal server error', this.id, requestId));
      return;
    }
    if (!route.twoWay) return;
    const frame = routeResponseFrame(result.value);
    if (frame !== undefined) this.send(frame);
  }

  /** `ws` closes the socket itself after a protocol error; remember the code it used for `$disconnect`. */
  private onError(error: Error & { code?: string }): void {
    if (this.state !== 'open' || !error.code?.startsWith('WS_ERR_')) return;
    this.state = 'closing';
    this.closeStatus = { code: WS_ERROR_CLOSE_CODES[error.code] ?? CloseCode.protocolError, reason: '' };
    this.clearTimers();
    this.terminateTimer = setTimeout(() => this.ws.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS);
  }

  private async onClose(clientStatus: CloseStatus): Promise<void> {
    this.state = 'closed';
    this.clearTimers();
    this.context.onClosed(this);
    const status = this.closeStatus ?? clientStatus;
    const route = this.context.routes.get('$disconnect');
    await runDisconnect(this.context.recorder, route, this.info, status, this.authorizer);
    await Promise.allSettled([...this.inFlight]);
    this.resolveFinished();
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.expiryTimer);
    if (this.state === 'closed') clearTimeout(this.terminateTimer);
  }
}

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
