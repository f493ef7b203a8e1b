/**
 * Client library of the realtime WebSocket API, for browsers and Node. No runtime dependency: it uses the
 * platform's `WebSocket`, or the constructor passed as the `WebSocket` option (`ws` in Node 20).
 *
 * @example
 * import { connect } from './client/index.js';
 * const client = connect('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { clientId: 'c1' });
 * await client.subscribe('lobby', { onMessage: (message) => console.log(message.data) });
 *
 * @module
 */
export { Backoff, type BackoffPolicy } from './backoff.js';
export { type ClientEvents, connect, RealtimeClient } from './client.js';
export {
  buildUrl,
  type ConnectionState,
  type SocketEvent,
  type StateInfo,
  type TokenSource,
  type WebSocketConstructor,
  type WebSocketLike,
} from './connection.js';
export {
  type ClientErrorCode,
  RealtimeError,
  type RealtimeErrorCode,
  type RealtimeErrorOptions,
  type ServerErrorCode,
} from './errors.js';
export { type ClientOptions, DEFAULTS, type ReconnectOptions } from './options.js';
export { PresenceView, type PresenceViewOptions, type PresentClient } from './presence.js';
export {
  type Author,
  type DirectMessage,
  type GatewayErrorFrame,
  type LeaderboardEntry,
  type LeaderboardSnapshot,
  MAX_FRAME_BYTES,
  type MessageEnvelope,
  type PresenceEvent,
  type PresenceMember,
  type RequestId,
  type TypedFrame,
} from './protocol.js';
export type {
  HistoryOptions,
  HistoryResult,
  PublishResult,
  ScoreResult,
  SendToUserResult,
  TopResult,
} from './replies.js';
export { ChannelStream, type ReceiveOutcome } from './resume.js';
export type { ResetInfo, SubscribeOptions, Subscription } from './subscription.js';
