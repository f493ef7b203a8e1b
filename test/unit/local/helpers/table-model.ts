/**
 * A `TableModel` like the product's table (pk/sk strings, TTL on `ttl`), for the local DynamoDB tests.
 *
 * @module
 */
import type { TableModel } from '../../../../local/model.js';

/** The table `tableName` keyed by `pk`/`sk`, without indexes, with TTL on `ttl`. */
export function pkSkTable(tableName: string): TableModel {
  return {
    logicalId: 'Table',
    tableName,
    keySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    attributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    globalSecondaryIndexes: [],
    localSecondaryIndexes: [],
    ttlAttribute: 'ttl',
  };
}
