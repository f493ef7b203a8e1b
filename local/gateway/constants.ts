/**
 * The numbers the gateway emulates, in one place: API Gateway's WebSocket quotas and the emulator's defaults.
 *
 * @module
 */

/** API Gateway rejects any single WebSocket frame over 32 KB, even inside a message that would fit. */
export const FRAME_LIMIT_BYTES = 32_768;

/** API Gateway's per-message limit (fragments reassembled), incoming and for `@connections` POSTs. */
export const MESSAGE_LIMIT_BYTES = 131_072;

/** API Gateway closes a connection that has had no client message for 10 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;

/** API Gateway closes every connection after 2 hours, active or not. */
export const DEFAULT_MAX_CONNECTION_MS = 7_200_000;

/** The emulator listens on loopback only unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

/** Region used in ARNs (`methodArn`) when none is given. */
export const DEFAULT_REGION = 'us-east-1';

/** The account id in locally built ARNs: there is no real account offline. */
export { LOCAL_ACCOUNT_ID } from '../constants.js';

/**
 * How long a server-initiated close waits for the client's close frame before dropping the socket. API Gateway
 * does not wait on slow clients; `ws` alone would wait 30 s, which would stall `close()`.
 */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 1_000;

/** The WebSocket close codes (RFC 6455 §7.4.1) the gateway sends or reports. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005,
  abnormal: 1006,
  invalidPayload: 1007,
  messageTooBig: 1009,
} as const;

/** The close reason API Gateway sends when it drops an idle, expired or shut-down connection. */
export const GOING_AWAY_REASON = 'Going away';
