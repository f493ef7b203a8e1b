/**
 * The one structured logger of every function (Powertools, JSON lines in CloudWatch). Level comes from
 * `POWERTOOLS_LOG_LEVEL`.
 *
 * @module
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** Shared by all handlers of a container. */
export const logger = new Logger({ serviceName: 'realtime-api' });
