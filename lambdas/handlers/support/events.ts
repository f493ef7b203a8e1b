/**
 * The event shapes API Gateway sends to WebSocket route integrations (Lambda proxy).
 *
 * @module
 */
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda';

/** A message or `$disconnect` event. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2;

/**
 * A `$connect` event. Unlike message events it carries the handshake's `headers` and
 * `queryStringParameters`, and `requestContext.identity` with the client's address and user agent, which
 * `@types/aws-lambda` does not model for WebSocket APIs.
 */
export type WebSocketConnectEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & {
    readonly identity?: { readonly sourceIp?: string; readonly userAgent?: string };
  }
> & { readonly headers?: Readonly<Record<string, string | undefined>> };

/** A request header by case-insensitive name (API Gateway keeps the client's casing). */
export const headerValue = (event: WebSocketConnectEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1];
};
