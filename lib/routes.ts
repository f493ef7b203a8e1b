/**
 * The route table: every WebSocket route, the handler behind it and exactly what that handler may touch.
 * `RealtimeApi` builds one function, one integration and one set of grants per row, so adding a route is one
 * entry here plus a handler in `lambdas/handlers/`.
 *
 * @module
 */
import type { Action } from '../lambdas/core/protocol.js';

/** A DynamoDB action a route function may be granted (exact names, never wildcards). */
export type DynamoDbAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query'
  | 'dynamodb:BatchWriteItem';

/** What one route's function is allowed to do, and nothing more. */
export interface RouteAccess {
  /** Actions on the table itself. */
  readonly table: readonly DynamoDbAction[];
  /** Actions on the `byConnection` index. */
  readonly byConnectionIndex: readonly DynamoDbAction[];
  /** Actions on the `byUser` index (a user's connections). */
  readonly byUserIndex: readonly DynamoDbAction[];
  /** Actions on the `byRank` index (a board's ranking). */
  readonly rankIndex: readonly DynamoDbAction[];
  /** Whether it may post to (and delete) connections through this stage's `@connections` API. */
  readonly manageConnections: boolean;
  /**
   * Whether it may close connections only (`DeleteConnection`: `…/<stage>/DELETE/@connections/*`), what the
   * per-connection rate limit needs on routes that post nothing else. Implied by `manageConnections`.
   */
  readonly closeConnections?: boolean;
}

/** One row of the route table. */
export interface RouteDefinition {
  /**
   * API Gateway route key: `$connect`, `$disconnect`, `$default` or the value of the `action` field, which must
   * be one of the protocol's actions (a test checks that every action has its route).
   */
  readonly routeKey: '$connect' | '$disconnect' | '$default' | Action;
  /** Handler file name: `lambdas/handlers/<handler>.ts`. */
  readonly handler: string;
  /**
   * Construct id of the route's function construct; part of the stack's contract (it shapes logical ids).
   * Never plain `Default`: CDK drops that id from logical ids and treats it as the parent's default child.
   */
  readonly id: string;
  /** Two-way routes return their handler's body to the caller (acks and errors) through a route response. */
  readonly twoWay: boolean;
  /** Fan-out routes post to many connections and get the longer timeout. */
  readonly fanOut: boolean;
  readonly access: RouteAccess;
}

const NO_ACCESS: RouteAccess = {
  table: [],
  byConnectionIndex: [],
  byUserIndex: [],
  rankIndex: [],
  manageConnections: false,
};

/**
 * What removing a connection and all its items takes: read who it was (`META`), list its items on the index,
 * then delete them in batches. `$disconnect` needs it, and so does every fan-out route, which removes
 * recipients that are gone (410) while it sends.
 */
const REMOVE_CONNECTION: RouteAccess = {
  ...NO_ACCESS,
  table: ['dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
  byConnectionIndex: ['dynamodb:Query'],
};

/**
 * Fan-out: page through recipients (subscribers, or present members for `join`/`leave`), post to each,
 * remove the gone ones and announce their `leave`.
 */
function fanOut(
  extraTableActions: readonly DynamoDbAction[],
  rankIndex: readonly DynamoDbAction[] = [],
): RouteAccess {
  return {
    table: [...new Set<DynamoDbAction>(['dynamodb:Query', ...extraTableActions, ...REMOVE_CONNECTION.table])],
    byConnectionIndex: REMOVE_CONNECTION.byConnectionIndex,
    byUserIndex: [],
    rankIndex,
    manageConnections: true,
  };
}

/**
 * What the per-connection rate limit takes, on every message route: conditional `UpdateItem`s on the
 * connection's `META` item (a `GetItem` where an engine does not return the failed item), and
 * `DeleteConnection` to close a connection that keeps exceeding it.
 */
const RATE_LIMIT_TABLE_ACTIONS: readonly DynamoDbAction[] = ['dynamodb:UpdateItem', 'dynamodb:GetItem'];

/** Adds the rate limit's access to a message route (not to `$connect`/`$disconnect`, which no client sends). */
function withRateLimit(route: RouteDefinition): RouteDefinition {
  if (route.routeKey === '$connect' || route.routeKey === '$disconnect') {
    return route;
  }
  const { access } = route;
  return {
    ...route,
    access: {
      ...access,
      table: [...new Set<DynamoDbAction>([...access.table, ...RATE_LIMIT_TABLE_ACTIONS])],
      // Closing an abuser is a DELETE; a route that posts nothing needs no more than that.
      ...(access.manageConnections ? {} : { closeConnections: true }),
    },
  };
}

/** The routes as written, before the rate limit's access is added to the message routes. */
const ROUTE_TABLE: readonly RouteDefinition[] = [
  {
    routeKey: '$connect',
    handler: 'connect',
    id: 'ConnectRoute',
    twoWay: false,
    fanOut: false,
    // META item and broadcast membership: one put each, or one batch; byUser: the per-user connection cap.
    access: {
      ...NO_ACCESS,
      table: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
      byUserIndex: ['dynamodb:Query'],
    },
  },
  {
    routeKey: '$disconnect',
    handler: 'disconnect',
    id: 'DisconnectRoute',
    twoWay: false,
    // Announces the connection's `leave` in the channels where it was present.
    fanOut: true,
    access: fanOut([]),
  },
  {
    routeKey: '$default',
    handler: 'default',
    id: 'DefaultRoute',
    twoWay: true,
    fanOut: false,
    access: NO_ACCESS,
  },
  {
    routeKey: 'sendmessage',
    handler: 'sendmessage',
    id: 'SendMessageRoute',
    twoWay: true,
    fanOut: true,
    access: fanOut([]),
  },
  {
    routeKey: 'subscribe',
    handler: 'subscribe',
    id: 'SubscribeRoute',
    twoWay: true,
    // Announces a `join` to the channel's present members.
    fanOut: true,
    // PutItem: the subscription and presence; GetItem: who it is, the channel's seq and the board's version;
    // Query: kept messages; byRank: the board's snapshot.
    access: fanOut(['dynamodb:PutItem', 'dynamodb:GetItem'], ['dynamodb:Query']),
  },
  {
    routeKey: 'unsubscribe',
    handler: 'unsubscribe',
    id: 'UnsubscribeRoute',
    twoWay: true,
    // Announces a `leave` to the channel's present members.
    fanOut: true,
    access: fanOut([]),
  },
  {
    routeKey: 'publish',
    handler: 'publish',
    id: 'PublishRoute',
    twoWay: true,
    fanOut: true,
    // UpdateItem: the per-channel sequence counter (atomic ADD); PutItem/DeleteItem: the kept history;
    // GetItem: the author's client id and name.
    access: fanOut(['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem']),
  },
  {
    routeKey: 'history',
    handler: 'history',
    id: 'HistoryRoute',
    twoWay: true,
    fanOut: false,
    access: { ...NO_ACCESS, table: ['dynamodb:GetItem', 'dynamodb:Query'] },
  },
  {
    routeKey: 'score',
    handler: 'score',
    id: 'ScoreRoute',
    twoWay: true,
    fanOut: true,
    // UpdateItem: the player's score and rank key, the board's version; byRank: the snapshot.
    access: fanOut(['dynamodb:UpdateItem'], ['dynamodb:Query']),
  },
  {
    routeKey: 'top',
    handler: 'top',
    id: 'TopRoute',
    twoWay: true,
    fanOut: false,
    access: { ...NO_ACCESS, table: ['dynamodb:GetItem'], rankIndex: ['dynamodb:Query'] },
  },
  {
    routeKey: 'presence',
    handler: 'presence',
    id: 'PresenceRoute',
    twoWay: true,
    fanOut: false,
    access: { ...NO_ACCESS, table: ['dynamodb:Query'] },
  },
  {
    routeKey: 'sendtouser',
    handler: 'sendtouser',
    id: 'SendToUserRoute',
    twoWay: true,
    fanOut: true,
    // GetItem: the sender's client id (its user while auth is off); byUser: the addressed user's connections.
    access: { ...fanOut(['dynamodb:GetItem']), byUserIndex: ['dynamodb:Query'] },
  },
  { routeKey: 'ping', handler: 'ping', id: 'PingRoute', twoWay: true, fanOut: false, access: NO_ACCESS },
];

/** Every route of the API, in the order they are created. */
export const ROUTES: readonly RouteDefinition[] = ROUTE_TABLE.map(withRateLimit);
