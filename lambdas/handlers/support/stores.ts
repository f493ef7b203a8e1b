/**
 * The table's stores, built once per container on the shared document client. Routes that never post to a
 * connection import only these (and so need no `CALLBACK_URL`).
 *
 * @module
 */
import { documentClient, tableName } from '../../adapters/clients/dynamodb.js';
import { DynamoDbHistoryStore } from '../../adapters/dynamodb-history.js';
import { DynamoDbLeaderboardStore } from '../../adapters/dynamodb-leaderboard.js';
import { DynamoDbPresenceStore } from '../../adapters/dynamodb-presence.js';
import { DynamoDbConnectionStore } from '../../adapters/dynamodb-store.js';
import { readMaxSubscriptions } from '../../adapters/env.js';
import type { ConnectionStore, HistoryStore, LeaderboardStore, PresenceStore } from '../../core/ports.js';

/** Every store on the table. */
export interface TableStores {
  readonly store: ConnectionStore;
  readonly history: HistoryStore;
  readonly leaderboard: LeaderboardStore;
  readonly presence: PresenceStore;
}

/** The stores of one container. */
export const tableStores = (): TableStores => {
  const options = { client: documentClient, tableName };
  return {
    store: new DynamoDbConnectionStore({ ...options, maxSubscriptions: readMaxSubscriptions() }),
    history: new DynamoDbHistoryStore(options),
    leaderboard: new DynamoDbLeaderboardStore(options),
    presence: new DynamoDbPresenceStore(options),
  };
};
