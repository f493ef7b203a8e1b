/**
 * The one structured logger of every function (Powertools, JSON lines in CloudWatch). Level comes from
 * `POWERTOOLS_LOG_LEVEL`, the `service` key from `POWERTOOLS_SERVICE_NAME` (the stack sets both).
 *
 * @module
 */
import { getServiceName } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';

/** The `service` of each log line when `POWERTOOLS_SERVICE_NAME` is unset (a handler run outside the stack). */
export const DEFAULT_SERVICE_NAME = 'realtime-api';

/**
 * Shared by all handlers of a container. A `serviceName` passed to `Logger` would win over
 * `POWERTOOLS_SERVICE_NAME`, so only the fallback is ours.
 */
export const logger = new Logger({ serviceName: getServiceName() || DEFAULT_SERVICE_NAME });
