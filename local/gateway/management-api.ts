/**
 * The API Gateway Management API (`@connections`), served by the gateway's own HTTP server so that the real
 * `ApiGatewayManagementApiClient` works with only its `endpoint` changed. SigV4 headers are accepted and not
 * checked.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCode, MESSAGE_LIMIT_BYTES } from './constants.js';
import type { ConnectionInfo } from './event-format.js';
import { sendAwsError, sendEmpty, sendJson } from './http-responses.js';

/** What the Management API needs from a connection. */
export interface ManagedConnection {
  readonly info: ConnectionInfo;
  readonly isOpen: boolean;
  readonly lastActiveAt: number;
  send(text: string): boolean;
  close(code: number, reason: string): void;
}

/** Finds an open (or closing) connection by id; connections still in `$connect` are not found. */
export type ConnectionLookup = (connectionId: string) => ManagedConnection | undefined;

/** One `@connections` request, as a {@link ManagementFault} sees it. */
export interface ManagementRequest {
  readonly method: 'POST' | 'GET' | 'DELETE';
  readonly connectionId: string;
  /** The frame a POST would send. */
  readonly frame?: string;
}

/** The failures a {@link ManagementFault} can inject, as API Gateway answers them. */
export type ManagementFaultStatus = 429 | 500 | 503;

/**
 * Decides whether to fail one `@connections` request instead of serving it (throttling, a 5xx), to rehearse
 * what a fan-out does when AWS misbehaves; `undefined` serves it.
 */
export type ManagementFault = (request: ManagementRequest) => ManagementFaultStatus | undefined;

const FAULT_ERRORS: Readonly<Record<ManagementFaultStatus, readonly [string, string]>> = {
  429: ['LimitExceededException', 'Rate exceeded'],
  500: ['InternalServerErrorException', 'Internal server error'],
  503: ['ServiceUnavailableException', 'Service unavailable'],
};

/** A request body larger than this is not even drained: the socket is dropped. */
const MAX_DRAINED_BYTES = 8 * MESSAGE_LIMIT_BYTES;

/**
 * The connection id of a Management API path: `/<stage>/@connections/{id}` (what the SDK requests when its
 * endpoint is the stage URL) or `/@connections/{id}`. `undefined` when the path is not one of those; `''` for a
 * malformed id.
 */
export function managementConnectionId(pathname: string, stage: string): string | undefined {
  const match = /^(?:\/([^/]+))?\/@connections\/([^/]+)$/.exec(pathname);
  if (!match || (match[1] !== undefined && match[1] !== stage)) return undefined;
  try {
    return decodeURIComponent(match[2] ?? '');
  } catch {
    return '';
  }
}

/**
 * Serves one `@connections/{id}` request: POST sends the body as a text frame (200), GET describes the
 * connection (200), DELETE closes it (204, then `$disconnect` runs). An unknown or closed id, or one whose
 * `$connect` is still running, is a 410 `GoneException`; a POST body over 128 KB is a 413
 * `PayloadTooLargeException`; other methods get API Gateway's 403 for an unmapped method. `fault` may fail a
 * request first with a 429 or 5xx (tests rehearsing throttling).
 */
export async function handleManagementRequest(
  req: IncomingMessage,
  res: ServerResponse,
  connectionId: string,
  lookup: ConnectionLookup,
  fault?: ManagementFault,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
    req.resume();
    sendAwsError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    return;
  }
  let frame: string | undefined;
  if (method === 'POST') {
    const body = await readBody(req);
    if (body === undefined) return; // the client went away
    if (body === 'too large') {
      const message = `Message must not exceed ${MESSAGE_LIMIT_BYTES} bytes`;
      sendAwsError(res, 413, 'PayloadTooLargeException', message);
      return;
    }
    frame = body.toString('utf8');
  }
  const injected = fault?.({ method, connectionId, ...(frame === undefined ? {} : { frame }) });
  if (injected !== undefined) {
    const [name, message] = FAULT_ERRORS[injected];
    sendAwsError(res, injected, name, message);
    return;
  }
  const connection = lookup(connectionId);
  if (!connection?.isOpen) {
    sendAwsError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
    return;
  }
  if (frame !== undefined) {
    connection.send(frame);
    sendEmpty(res, 200);
  } else if (method === 'GET') {
    // The SDK parses these timestamps as ISO 8601 date-time strings (smithy `timestampFormat: date-time`).
    sendJson(res, 200, {
      connectedAt: new Date(connection.info.connectedAt).toISOString(),
      identity: connection.info.identity,
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
  } else {
    // API Gateway closes a deleted connection with 1000 and reports "Connection Closed Normally".
    connection.close(CloseCode.normal, '');
    sendEmpty(res, 204);
  }
}

/** Reads a request body up to the message limit; `'too large'` past it, `undefined` if the client went away. */
function readBody(req: IncomingMessage): Promise<Buffer | 'too large' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MESSAGE_LIMIT_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAINED_BYTES) {
        req.socket.destroy();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(size > MESSAGE_LIMIT_BYTES ? 'too large' : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined));
  });
}
