/**
 * The names of the single table's design (README "Table design") that both sides must agree on: the stack
 * (`lib/connections-table.ts`) creates the table and index with them, and the store (`lambdas/adapters/`)
 * queries and writes with them. Plain strings, no AWS code, so `lib/` can import them without pulling in
 * anything of the functions.
 *
 * @module
 */

/** GSI listing every item of a connection: partition key `connectionId`, sort key `pk`, keys only. */
export const BY_CONNECTION_INDEX = 'byConnection';

/**
 * Sparse GSI listing a user's open connections: partition key {@link USER_ID_ATTRIBUTE}, sort key `pk`,
 * projecting `connectionId`. Only `META` items carry `userId`, so it holds one entry per connection.
 */
export const BY_USER_INDEX = 'byUser';

/** The `META` attribute naming the connection's user (the authorizer's `userId`, else the `clientId`). */
export const USER_ID_ATTRIBUTE = 'userId';

/** Attribute holding each item's expiry in epoch seconds; DynamoDB TTL deletes expired items on its own. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * LSI ranking a board's players: same partition key as the table (`BOARD#<board>`), sort key
 * {@link RANK_ATTRIBUTE}. A local index, because only a local index can be read strongly consistently: a
 * snapshot read right after a score must see it.
 */
export const RANK_INDEX = 'byRank';

/** Sort key of {@link RANK_INDEX}: a string that orders players by score, then by who reached it first. */
export const RANK_ATTRIBUTE = 'rank';
