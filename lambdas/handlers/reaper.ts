/**
 * The reaper: not a route, but the consumer of the table's stream. It receives the TTL deletions of presence
 * items (the event source mapping's filter lets nothing else through) and announces each expired member's
 * `leave` to the channel's remaining members: how a connection that vanished without `$disconnect`, and was
 * never found gone by a fan-out, still leaves.
 *
 * A record whose announcement throws is reported in `batchItemFailures` (the mapping retries from it); the
 * batch itself never throws. Records that are no presence expiry are skipped, so an unfiltered stream is safe.
 *
 * @module
 */
import type {
  Context,
  DynamoDBBatchItemFailure,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { removedItemOf } from '../adapters/dynamodb-stream.js';
import { logger } from '../adapters/logger.js';
import { expiredPresence } from '../core/expired-presence.js';
import { announcePresence } from '../core/presence.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts, type RealtimePorts } from './support/ports.js';
import type { RouteLogger } from './support/route-response.js';

/** What the reaper needs. */
export interface ReaperDeps {
  readonly ports: Pick<RealtimePorts, 'store' | 'presence' | 'messenger' | 'afterRemoval' | 'fanOutQueue'>;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/** Builds the stream handler. */
export const makeReaperHandler =
  (deps: ReaperDeps) =>
  async (
    event: DynamoDBStreamEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const batchItemFailures: DynamoDBBatchItemFailure[] = [];
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        const expired = expiredPresence(removedItemOf(record));
        if (expired === undefined) continue;
        const { channel, member } = expired;
        await loggedFanOut(
          deps.logger,
          context,
          deps.fanOut,
          { route: 'reaper', event: 'leave', reason: 'ttl', channel, connectionId: member.connectionId },
          (options) => announcePresence(deps.ports, 'leave', channel, member, options),
        );
      } catch (error) {
        deps.logger.error('expired presence not announced; the record will be retried', {
          sequenceNumber,
          error: error instanceof Error ? error : String(error),
        });
        batchItemFailures.push({ itemIdentifier: sequenceNumber });
      }
    }
    return { batchItemFailures };
  };

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeReaperHandler({
    ports: productionPorts('reaper'),
    logger,
    fanOut: defaultFanOutSettings(),
  }),
);
