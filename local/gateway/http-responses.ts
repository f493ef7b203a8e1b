/**
 * Writing AWS-style HTTP answers: JSON errors with `x-amzn-ErrorType` (what the AWS SDKs map to exception
 * classes), and bare status lines on a raw socket for refused WebSocket upgrades.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Sends `{"message": …}` with the error type header the SDK's rest-json protocol reads first. */
export function sendAwsError(
  res: ServerResponse,
  statusCode: number,
  errorType: string,
  message: string,
): void {
  sendJson(res, statusCode, { message }, { 'x-amzn-ErrorType': errorType });
}

/** Sends a JSON body with AWS's request id header. */
export function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** Sends a status with no body (e.g. 200 for a POST, 204 for a DELETE). */
export function sendEmpty(res: ServerResponse, statusCode: number): void {
  res.writeHead(statusCode, { 'Content-Length': 0, 'x-amzn-RequestId': randomUUID() });
  res.end();
}

/** Answers a refused upgrade with a bare HTTP status and closes the socket once that is flushed. */
export function refuseUpgrade(socket: Duplex, statusCode: number): void {
  if (socket.destroyed) return;
  const status = `${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}`;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
