/**
 * Running `$disconnect`: once per connection that `$connect` accepted, however it ended. Like API Gateway, the
 * result is ignored (the connection is already gone).
 *
 * @module
 */
import type { RouteModel } from '../model.js';
import { CloseCode, GOING_AWAY_REASON } from './constants.js';
import { type AuthorizerContext, type ConnectionInfo, disconnectEvent } from './event-format.js';
import { newApiGatewayId } from './ids.js';
import type { InvocationRecorder } from './invocation.js';

/** How a connection ended, as reported in `disconnectStatusCode` / `disconnectReason`. */
export interface CloseStatus {
  readonly code: number;
  /** The reason sent in the close frame; empty when there was none. */
  readonly reason: string;
}

/** The reasons AWS reports when the close frame carried none. */
const DEFAULT_REASONS: Readonly<Record<number, string>> = {
  [CloseCode.normal]: 'Connection Closed Normally',
  [CloseCode.goingAway]: GOING_AWAY_REASON,
  [CloseCode.noStatus]: 'Client-side close frame status not set',
  [CloseCode.abnormal]: 'Connection closed abnormally',
};

/** `disconnectReason`: the close frame's reason, else AWS's wording for the code. */
export function disconnectReason(status: CloseStatus): string {
  return status.reason || DEFAULT_REASONS[status.code] || `Connection closed with status ${status.code}`;
}

/** Invokes `$disconnect` (when the API has one) and resolves once it has returned; never rejects. */
export async function runDisconnect(
  recorder: InvocationRecorder,
  route: RouteModel | undefined,
  info: ConnectionInfo,
  status: CloseStatus,
  authorizer: AuthorizerContext | undefined,
): Promise<void> {
  if (!route) return;
  const stamp = { requestId: newApiGatewayId(), requestTimeEpoch: Date.now() };
  const event = disconnectEvent(info, stamp, status.code, disconnectReason(status), authorizer);
  await recorder.invoke({
    routeKey: '$disconnect',
    connectionId: info.connectionId,
    functionId: route.functionId,
    event,
  });
}
