/**
 * The offline API Gateway WebSocket emulator: the WebSocket endpoint and the Management API of one stage.
 *
 * @module
 */
export { FRAME_LIMIT_BYTES, MESSAGE_LIMIT_BYTES } from './constants.js';
export { PortInUseError } from './errors.js';
export type {
  AuthorizerContext,
  ConnectionIdentity,
  WebSocketEvent,
  WebSocketRequestContext,
} from './event-format.js';
export type { InvokeFunction } from './invocation.js';
export type { GatewayOptions, RunningGateway } from './options.js';
export { startGateway } from './server.js';
