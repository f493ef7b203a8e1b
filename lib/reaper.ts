/**
 * The reaper: the function that consumes the table's stream and announces the `leave` of presence items
 * DynamoDB's TTL deleted (a connection that vanished without `$disconnect`). Built like a route function,
 * but invoked by an event source mapping instead of a route; the mapping's filter hands it only TTL
 * deletions of presence items, so it is not invoked for anything else.
 *
 * @module
 */
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { presencePartition } from '../lambdas/adapters/table-keys.js';
import { handlerEntry } from './paths.js';
import { RouteFunction, type RouteFunctionProps } from './route-function.js';
import { grantRouteAccess } from './route-grants.js';
import type { RouteAccess } from './routes.js';

/** How DynamoDB marks its own (TTL) deletions in a stream record's `userIdentity`. */
export const TTL_DELETION_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** Records per invocation: a burst of expiries is announced in few invocations. */
export const REAPER_BATCH_SIZE = 100;
/** Retries of a failing record (after bisecting its batch) before the mapping skips it. */
export const REAPER_RETRY_ATTEMPTS = 3;

/**
 * What the reaper may do: read a channel's present members, post to them, and remove those found gone (as
 * every fan-out does). The stream read permissions are added by the event source.
 */
export const REAPER_ACCESS: RouteAccess = {
  table: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
  byConnectionIndex: ['dynamodb:Query'],
  byUserIndex: [],
  rankIndex: [],
  manageConnections: true,
};

/**
 * The filter of the mapping: `REMOVE` records by DynamoDB's TTL (not a user's or a function's delete) of
 * presence items (`pk` beginning with `PRES#`). Lambda's event filtering syntax on the stream record.
 */
export const reaperFilter = (): Record<string, unknown> =>
  FilterCriteria.filter({
    eventName: FilterRule.isEqual('REMOVE'),
    userIdentity: {
      type: FilterRule.isEqual(TTL_DELETION_IDENTITY.type),
      principalId: FilterRule.isEqual(TTL_DELETION_IDENTITY.principalId),
    },
    dynamodb: { OldImage: { pk: { S: FilterRule.beginsWith(presencePartition('')) } } },
  });

/** Properties of {@link createReaper}: the function's settings and what it works on. */
export interface ReaperProps extends Omit<RouteFunctionProps, 'entry' | 'description'> {
  /** The table; its stream (old images) must be enabled. */
  readonly table: TableV2;
  readonly stage: WebSocketStage;
}

/** Creates the reaper function, its grants and its event source mapping on the table's stream. */
export function createReaper(scope: Construct, id: string, props: ReaperProps): RouteFunction {
  const { table, stage, ...functionProps } = props;
  const reaper = new RouteFunction(scope, id, {
    ...functionProps,
    entry: handlerEntry('reaper'),
    description: 'Announces the leave of presence items deleted by TTL (table stream)',
  });
  grantRouteAccess(reaper.function, REAPER_ACCESS, { table, stage });
  reaper.function.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: StartingPosition.LATEST,
      batchSize: REAPER_BATCH_SIZE,
      bisectBatchOnError: true,
      retryAttempts: REAPER_RETRY_ATTEMPTS,
      reportBatchItemFailures: true,
      filters: [reaperFilter()],
    }),
  );
  return reaper;
}
