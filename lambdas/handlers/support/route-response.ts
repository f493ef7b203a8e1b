/**
 * What a WebSocket route handler returns to API Gateway.
 *
 * @module
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeFrame, type ReplyFrame } from '../../core/frames.js';

/**
 * The handler result. Every message route is a two-way route (it has a route response), so API Gateway
 * sends `body` to the caller as one text frame; no `body`, no frame. For `$connect`, a non-2xx
 * `statusCode` rejects the handshake.
 */
export interface RouteResponse {
  readonly statusCode: number;
  readonly body?: string;
  /** `$connect` only: headers of the handshake's 101 answer (the chosen `Sec-WebSocket-Protocol`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The part of the Powertools logger the handlers use; narrow so tests can pass a spy. */
export type RouteLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * A 200 that carries `frame` back to the caller. Errors are 200s too: the connection stays open and the
 * error travels in the frame.
 */
export const reply = (frame?: ReplyFrame): RouteResponse =>
  frame === undefined ? { statusCode: 200 } : { statusCode: 200, body: encodeFrame(frame) };
