/**
 * The single DynamoDB table behind the API (see "Table design" in the README): connections, channel
 * subscriptions, broadcast shards, channel sequence counters, kept messages, presence and leaderboards, with a
 * `byConnection` index that lists every item of one connection so it can be removed in one query, a sparse
 * `byUser` index that lists a user's connections, and a local
 * `byRank` index that orders a board's players.
 *
 * @module
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
// The functions query and write with the same names, so they are defined once, beside the functions' core.
import {
  BY_CONNECTION_INDEX,
  BY_USER_INDEX,
  RANK_ATTRIBUTE,
  RANK_INDEX,
  TTL_ATTRIBUTE,
  USER_ID_ATTRIBUTE,
} from '../lambdas/core/table-design.js';

/** Options of {@link createConnectionsTable}. */
export interface ConnectionsTableOptions {
  /** What happens to the table (and its data) when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Creates the table: on-demand (WebSocket traffic is spiky and idle most of the time), point-in-time recovery,
 * encrypted with the AWS-managed key, TTL on `ttl`. The index projects keys only: `$disconnect` needs just
 * `pk`/`sk` to delete. Its stream carries old images: the reaper reads the presence items TTL deleted.
 */
export function createConnectionsTable(
  scope: Construct,
  id: string,
  options: ConnectionsTableOptions,
): TableV2 {
  return new TableV2(scope, id, {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billing: Billing.onDemand(),
    encryption: TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: TTL_ATTRIBUTE,
    dynamoStream: StreamViewType.OLD_IMAGE,
    removalPolicy: options.removalPolicy,
    globalSecondaryIndexes: [
      {
        indexName: BY_CONNECTION_INDEX,
        partitionKey: { name: 'connectionId', type: AttributeType.STRING },
        sortKey: { name: 'pk', type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      },
      {
        // Sparse: only META items carry userId. Delivery needs just the connection id.
        indexName: BY_USER_INDEX,
        partitionKey: { name: USER_ID_ATTRIBUTE, type: AttributeType.STRING },
        sortKey: { name: 'pk', type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: ['connectionId'],
      },
    ],
    // Local, so a board's ranking can be read strongly consistent right after a score (see lambdas/core/leaderboard.ts).
    localSecondaryIndexes: [
      {
        indexName: RANK_INDEX,
        sortKey: { name: RANK_ATTRIBUTE, type: AttributeType.NUMBER },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: ['player', 'score'],
      },
    ],
  });
}
