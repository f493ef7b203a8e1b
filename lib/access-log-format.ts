/**
 * The stage's access log line: one JSON object per WebSocket event, so CloudWatch Logs Insights can filter on
 * any field (`filter routeKey = "publish" and status >= 500`).
 *
 * @module
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/**
 * The fields of each access log line, keyed by the JSON name they get. WebSocket APIs support a subset of the
 * REST `$context` variables; these are the ones that say who did what on which connection, and how it went.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  messageId: '$context.messageId',
  status: '$context.status',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  connectedAt: '$context.connectedAt',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integration.error',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
});

/** The JSON access log format for a WebSocket stage (it includes `$context.requestId`, which CDK requires). */
export function websocketAccessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));
}
