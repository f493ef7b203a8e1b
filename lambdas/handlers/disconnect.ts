/**
 * `$disconnect`: forgets the connection and everything it had, and announces its `leave` where it was present.
 *
 * API Gateway delivers `$disconnect` on a best-effort basis and ignores the answer, so failures are logged,
 * never thrown; whatever is left behind expires by TTL or is removed on the next 410 Gone.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logger.js';
import { unregisterConnection } from '../core/registry.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, fanOutOptions } from './support/fan-out.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts, type RealtimePorts } from './support/ports.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';

/** What the `$disconnect` handler needs. */
export interface DisconnectDeps {
  readonly ports: Pick<RealtimePorts, 'store' | 'presence' | 'messenger' | 'afterRemoval' | 'fanOutQueue'>;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/** Builds the `$disconnect` handler; it always answers 200. */
export const makeDisconnectHandler =
  (deps: DisconnectDeps) =>
  async (
    event: WebSocketEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<RouteResponse> => {
    const { connectionId } = event.requestContext;
    try {
      await unregisterConnection(deps.ports, connectionId, fanOutOptions(deps.logger, context, deps.fanOut));
    } catch (error) {
      deps.logger.error('disconnect cleanup failed; items will expire by TTL', {
        connectionId,
        error: error instanceof Error ? error : String(error),
      });
    }
    return { statusCode: 200 };
  };

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeDisconnectHandler({
    ports: productionPorts('disconnect'),
    logger,
    fanOut: defaultFanOutSettings(),
  }),
);
