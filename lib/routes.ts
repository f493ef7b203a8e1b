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
  /** Whether it may post to (and delete) connections through this stage's `@connections` API. */
  readonly manageConnections: boolean;
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

const NO_ACCESS: RouteAccess = { table: [], byConnectionIndex: [], manageConnections: false };

/**
 * What removing a connection and all its items takes: list its items on the index, then delete them in
 * batches. `$disconnect` needs it, and so does every fan-out route, which removes recipients that are gone
 * (410) while it sends.
 */
const REMOVE_CONNECTION: RouteAccess = {
  table: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
  byConnectionIndex: ['dynamodb:Query'],
  manageConnections: false,
};

/** Fan-out: page through recipients, post to each, remove the gone ones. */
function fanOut(extraTableActions: readonly DynamoDbAction[]): RouteAccess {
  return {
    table: ['dynamodb:Query', ...extraTableActions, ...REMOVE_CONNECTION.table],
    byConnectionIndex: REMOVE_CONNECTION.byConnectionIndex,
    manageConnections: true,
  };
}

/** Every route of the API, in the order they are created. */
export const ROUTES: readonly RouteDefinition[] = [
  {
    routeKey: '$connect',
    handler: 'connect',
    id: 'ConnectRoute',
    twoWay: false,
    fanOut: false,
    // META item and broadcast membership: one put each, or one batch.
    access: { ...NO_ACCESS, table: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'] },
  },
  {
    routeKey: '$disconnect',
    handler: 'disconnect',
    id: 'DisconnectRoute',
    twoWay: false,
    fanOut: false,
    access: REMOVE_CONNECTION,
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
    fanOut: false,
    access: { ...NO_ACCESS, table: ['dynamodb:PutItem'] },
  },
  {
    routeKey: 'unsubscribe',
    handler: 'unsubscribe',
    id: 'UnsubscribeRoute',
    twoWay: true,
    fanOut: false,
    access: { ...NO_ACCESS, table: ['dynamodb:DeleteItem'] },
  },
  {
    routeKey: 'publish',
    handler: 'publish',
    id: 'PublishRoute',
    twoWay: true,
    fanOut: true,
    // UpdateItem: the per-channel sequence counter (atomic ADD).
    access: fanOut(['dynamodb:UpdateItem']),
  },
  { routeKey: 'ping', handler: 'ping', id: 'PingRoute', twoWay: true, fanOut: false, access: NO_ACCESS },
];
