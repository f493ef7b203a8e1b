/**
 * The wrapper every function's exported `handler` goes through: what Powertools' `injectLambdaContext` does
 * for the logger (the Lambda context on every line: `function_request_id`, `cold_start`, `function_name`, …),
 * plus the WebSocket keys of the event (`connectionId`, `routeKey`) on every line of the invocation, and the
 * metrics of the invocation written at its end, also when the handler throws.
 *
 * Keys are cleared after each invocation, so nothing of one reaches the next in the same container.
 *
 * @module
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { logger as containerLogger } from '../../adapters/logger.js';
import { publishMetrics } from '../../adapters/metrics.js';

/** What the wrapper uses; production passes the container's logger and metrics. */
export interface LambdaEntryDeps {
  readonly logger: Pick<Logger, 'addContext' | 'appendKeys' | 'resetKeys' | 'warn'>;
  /** Writes the invocation's buffered metrics. */
  readonly publishMetrics: () => void;
}

const PRODUCTION: LambdaEntryDeps = { logger: containerLogger, publishMetrics };

/** The keys of a WebSocket event worth having on every log line; none for other events (streams, queues). */
export const webSocketKeys = (event: unknown): Record<string, string> => {
  if (typeof event !== 'object' || event === null || !('requestContext' in event)) return {};
  const context = event.requestContext;
  if (typeof context !== 'object' || context === null) return {};
  const keys: Record<string, string> = {};
  if ('connectionId' in context && typeof context.connectionId === 'string') {
    keys.connectionId = context.connectionId;
  }
  if ('routeKey' in context && typeof context.routeKey === 'string') {
    keys.routeKey = context.routeKey;
  }
  return keys;
};

/**
 * Wraps a handler: adds the Lambda context and the event's WebSocket keys to the logger, runs the handler,
 * then writes the buffered metrics and clears the keys, whatever the handler did.
 *
 * @example
 * export const handler = lambdaEntry(makePingHandler({ logger }));
 */
export const lambdaEntry =
  <E, R>(handler: (event: E, context: Context) => Promise<R>, deps: LambdaEntryDeps = PRODUCTION) =>
  async (event: E, context: Context): Promise<R> => {
    deps.logger.resetKeys();
    deps.logger.addContext(context);
    deps.logger.appendKeys(webSocketKeys(event));
    try {
      return await handler(event, context);
    } finally {
      try {
        deps.publishMetrics();
      } catch (error) {
        // Never let the metrics hide the handler's own outcome.
        deps.logger.warn('metrics not published', { error: error instanceof Error ? error : String(error) });
      }
      deps.logger.resetKeys();
    }
  };
