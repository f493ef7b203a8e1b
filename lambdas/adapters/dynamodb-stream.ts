/**
 * Decodes a DynamoDB Streams record of the table into the core's {@link RemovedItem}: whether TTL removed
 * it (AWS marks TTL deletions with the service principal `dynamodb.amazonaws.com`), the presence channel
 * its `pk` names, and its old image unmarshalled from DynamoDB JSON.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RemovedItem } from '../core/expired-presence.js';
import { presencePartition } from './table-keys.js';

/** The service principal of DynamoDB's own (TTL) deletions in a stream record's `userIdentity`. */
export const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

const PRESENCE_PREFIX = presencePartition('');

/** True for AWS's mark of a TTL deletion: `userIdentity` `{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }`. */
const isTtlIdentity = (identity: unknown): boolean => {
  if (typeof identity !== 'object' || identity === null) return false;
  const { type, principalId } = identity as Record<string, unknown>;
  return type === 'Service' && principalId === TTL_PRINCIPAL;
};

/** The channel of a presence partition key (`PRES#<channel>`), or undefined for any other key. */
export const presenceChannelOf = (pk: unknown): string | undefined =>
  typeof pk === 'string' && pk.startsWith(PRESENCE_PREFIX) && pk.length > PRESENCE_PREFIX.length
    ? pk.slice(PRESENCE_PREFIX.length)
    : undefined;

/**
 * The removed item of a `REMOVE` record with an old image; undefined for inserts, modifications and records
 * without one (a stream that does not carry old images).
 */
export const removedItemOf = (record: DynamoDBRecord): RemovedItem | undefined => {
  const image = record.dynamodb?.OldImage;
  if (record.eventName !== 'REMOVE' || image === undefined) return undefined;
  // @types/aws-lambda and the SDK describe the same DynamoDB JSON with two structurally different types.
  const attributes = unmarshall(image as Record<string, AttributeValue>);
  return {
    // @types/aws-lambda types `userIdentity` as `any`; it is read as unknown.
    expiredByTtl: isTtlIdentity(record.userIdentity as unknown),
    presenceChannel: presenceChannelOf(attributes.pk),
    attributes,
  };
};
