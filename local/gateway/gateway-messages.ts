/**
 * The frames API Gateway itself sends to a client when a message cannot be handled. The key order matches
 * AWS's, so clients comparing raw text see the same bytes.
 *
 * @module
 */

/** The messages API Gateway uses for its own error frames. */
export type GatewayMessage = 'Forbidden' | 'Internal server error' | 'Too many requests';

/**
 * `{"message":"…","connectionId":"…","requestId":"…"}`: sent for a message that matches no route and there is
 * no `$default` (`Forbidden`), for a failed integration (`Internal server error`) and for throttling
 * (`Too many requests`). The connection stays open in every case.
 */
export function gatewayMessage(message: GatewayMessage, connectionId: string, requestId: string): string {
  return JSON.stringify({ message, connectionId, requestId });
}

/**
 * The frame a two-way route (one with a route response) sends back: the proxy result's `body` when it is a
 * non-empty string. A handler that returns a bare value instead of a proxy object (a string, number, boolean
 * or array) has it JSON-serialised, as the Lambda proxy integration does; `statusCode` plays no part.
 */
export function routeResponseFrame(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  const { body } = value as { body?: unknown };
  return typeof body === 'string' && body !== '' ? body : undefined;
}
