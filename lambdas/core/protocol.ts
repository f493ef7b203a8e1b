/**
 * Parses client frames into typed requests and maps every way a frame can be wrong to the documented error
 * code, with a message that names the offending field.
 *
 * @module
 */
import * as z from 'zod/mini';
import {
  CHANNEL_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_CHANNEL_LENGTH,
  MAX_HISTORY_LIMIT,
  MAX_ID_LENGTH,
  MAX_INBOUND_BYTES,
  MAX_JSON_DEPTH,
  MAX_JSON_KEYS,
  MAX_LEADERBOARD_LIMIT,
  MAX_POINTS,
  USER_ID_PATTERN,
} from './constants.js';
import { ProtocolError, type RequestId } from './errors.js';

/** The actions a client may send, i.e. the custom routes of the API. */
export const ACTIONS = [
  'sendmessage',
  'subscribe',
  'unsubscribe',
  'publish',
  'ping',
  'history',
  'score',
  'top',
  'presence',
  'sendtouser',
] as const;

/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** `{"action":"sendmessage","data":…}`: broadcast `data` to every open connection. */
export interface SendMessageRequest {
  readonly action: 'sendmessage';
  readonly data: unknown;
  readonly id?: RequestId;
}

/**
 * `{"action":"subscribe","channel":…}`, optionally with the kept history (`"history": true` or a count), the
 * messages missed since a `seq` (`"since": 41`, for resuming), and presence (`"presence": true`: appear in
 * the channel's member list and receive its `join`/`leave` events).
 */
export interface SubscribeRequest {
  readonly action: 'subscribe';
  readonly channel: string;
  readonly history?: boolean | number;
  readonly since?: number;
  readonly presence?: boolean;
  readonly id?: RequestId;
}

/** `{"action":"unsubscribe","channel":…}`. */
export interface UnsubscribeRequest {
  readonly action: 'unsubscribe';
  readonly channel: string;
  readonly id?: RequestId;
}

/** `{"action":"publish","channel":…,"data":…}`: send `data` to the channel's subscribers. */
export interface PublishRequest {
  readonly action: 'publish';
  readonly channel: string;
  readonly data: unknown;
  readonly id?: RequestId;
}

/** `{"action":"ping"}`: an application heartbeat that keeps API Gateway's idle timer from firing. */
export interface PingRequest {
  readonly action: 'ping';
  readonly id?: RequestId;
}

/** `{"action":"history","channel":…,"since"?:…,"limit"?:…}`: kept messages, oldest first. */
export interface HistoryRequest {
  readonly action: 'history';
  readonly channel: string;
  readonly since?: number;
  readonly limit?: number;
  readonly id?: RequestId;
}

/** `{"action":"score","board":…,"player":…,"points":…}`: adds (or, negative, takes away) points. */
export interface ScoreRequest {
  readonly action: 'score';
  readonly board: string;
  readonly player: string;
  readonly points: number;
  readonly id?: RequestId;
}

/** `{"action":"top","board":…,"limit"?:…}`: the board's current top entries. */
export interface TopRequest {
  readonly action: 'top';
  readonly board: string;
  readonly limit?: number;
  readonly id?: RequestId;
}

/** `{"action":"presence","channel":…}`: who is present in a channel. */
export interface PresenceRequest {
  readonly action: 'presence';
  readonly channel: string;
  readonly id?: RequestId;
}

/** `{"action":"sendtouser","user":…,"data":…}`: send `data` to every open connection of one user. */
export interface SendToUserRequest {
  readonly action: 'sendtouser';
  readonly user: string;
  readonly data: unknown;
  readonly id?: RequestId;
}

/** Any valid request. */
export type Request =
  | SendMessageRequest
  | SubscribeRequest
  | UnsubscribeRequest
  | PublishRequest
  | PingRequest
  | HistoryRequest
  | ScoreRequest
  | TopRequest
  | PresenceRequest
  | SendToUserRequest;

/** The request type of one action. */
export type RequestFor<A extends Action> = Extract<Request, { action: A }>;

/** Longest piece of client input quoted back in an error message. */
const QUOTE_LIMIT = 64;

const idField = z.optional(
  z.union(
    [
      z
        .string()
        .check(z.maxLength(MAX_ID_LENGTH, { error: `id must be at most ${MAX_ID_LENGTH} characters` })),
      z.number(),
    ],
    { error: 'id must be a string or a number' },
  ),
);

/** A channel name, or a board name (boards share the channel rules: a board's viewers are its channel). */
const nameField = (field: 'channel' | 'board') =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
    })
    .check(
      z.minLength(1, { error: `${field} must not be empty` }),
      z.maxLength(MAX_CHANNEL_LENGTH, { error: `${field} must be at most ${MAX_CHANNEL_LENGTH} characters` }),
      z.regex(CHANNEL_PATTERN, { error: `${field} may only contain A-Z a-z 0-9 _ - . : @ /` }),
    );

/** A channel name (`INVALID_CHANNEL` when malformed). */
export const channelField = nameField('channel');
const boardField = nameField('board');

const playerField = z
  .string({
    error: (issue) => (issue.input === undefined ? 'player is required' : 'player must be a string'),
  })
  .check(z.regex(IDENTIFIER_PATTERN, { error: 'player must be 1-64 of A-Z a-z 0-9 _ - . : @' }));

/** An optional integer in [min, max], named in its errors. */
const optionalInt = (field: string, min: number, max: number) =>
  z.optional(
    z
      .int({ error: `${field} must be an integer` })
      .check(
        z.gte(min, { error: `${field} must be at least ${min}` }),
        z.lte(max, { error: `${field} must be at most ${max}` }),
      ),
  );

/** A user id: what `sendtouser` and the publisher address. */
export const userField = z
  .string({ error: (issue) => (issue.input === undefined ? 'user is required' : 'user must be a string') })
  .check(z.regex(USER_ID_PATTERN, { error: 'user must be 1-128 of A-Z a-z 0-9 _ . @ : -' }));

const pointsField = z
  .int({ error: (issue) => (issue.input === undefined ? 'points is required' : 'points must be an integer') })
  .check(
    z.gte(-MAX_POINTS, { error: `points must be at least ${-MAX_POINTS}` }),
    z.lte(MAX_POINTS, { error: `points must be at most ${MAX_POINTS}` }),
  );

const sinceField = optionalInt('since', 0, Number.MAX_SAFE_INTEGER);

const HISTORY_ERROR = `history must be true, false or an integer from 1 to ${MAX_HISTORY_LIMIT}`;

// The union's error covers a wrong type only; an integer out of range fails the checks, which need their own.
const historyField = z.optional(
  z.union(
    [
      z.boolean(),
      z.int().check(z.gte(1, { error: HISTORY_ERROR }), z.lte(MAX_HISTORY_LIMIT, { error: HISTORY_ERROR })),
    ],
    { error: HISTORY_ERROR },
  ),
);

const presenceFlag = z.optional(z.boolean({ error: 'presence must be true or false' }));

// JSON has no `undefined`, so `undefined` here can only mean the key is absent.
export const dataField = z
  .unknown()
  .check(z.refine((value) => value !== undefined, { error: 'data is required' }));

// Field order decides which problem is reported first when several fields are wrong.
const schemas = new Map<Action, z.ZodMiniType>([
  ['sendmessage', z.object({ data: dataField, id: idField })],
  [
    'subscribe',
    z.object({
      channel: channelField,
      history: historyField,
      since: sinceField,
      presence: presenceFlag,
      id: idField,
    }),
  ],
  ['unsubscribe', z.object({ channel: channelField, id: idField })],
  ['publish', z.object({ channel: channelField, data: dataField, id: idField })],
  ['ping', z.object({ id: idField })],
  [
    'history',
    z.object({
      channel: channelField,
      since: sinceField,
      limit: optionalInt('limit', 1, MAX_HISTORY_LIMIT),
      id: idField,
    }),
  ],
  ['score', z.object({ board: boardField, player: playerField, points: pointsField, id: idField })],
  [
    'top',
    z.object({ board: boardField, limit: optionalInt('limit', 1, MAX_LEADERBOARD_LIMIT), id: idField }),
  ],
  ['presence', z.object({ channel: channelField, id: idField })],
  ['sendtouser', z.object({ user: userField, data: dataField, id: idField })],
]);

const isRequestId = (value: unknown): value is RequestId =>
  (typeof value === 'string' && value.length <= MAX_ID_LENGTH) ||
  (typeof value === 'number' && Number.isFinite(value));

/**
 * Walks a parsed message without recursion and refuses one nested deeper than {@link MAX_JSON_DEPTH} or
 * holding more than {@link MAX_JSON_KEYS} keys, before any schema (or handler) looks at it.
 */
const checkShape = (message: Record<string, unknown>): void => {
  const stack: { value: unknown; depth: number }[] = [{ value: message, depth: 1 }];
  let keys = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new ProtocolError('INVALID_REQUEST', `message nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value)) {
      keys += children.length;
      if (keys > MAX_JSON_KEYS) {
        throw new ProtocolError('PAYLOAD_TOO_LARGE', `message has more than ${MAX_JSON_KEYS} keys`);
      }
    }
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
};

const quote = (text: string): string =>
  JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);

/** Whether `body` is over {@link MAX_INBOUND_BYTES}, without encoding it when its length already says. */
const oversized = (body: string): boolean =>
  body.length > MAX_INBOUND_BYTES ||
  (body.length * 3 > MAX_INBOUND_BYTES && new TextEncoder().encode(body).byteLength > MAX_INBOUND_BYTES);

const parseObject = (body: string | undefined): Record<string, unknown> => {
  if (body !== undefined && oversized(body)) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', `message is larger than ${MAX_INBOUND_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch (cause) {
    throw new ProtocolError('INVALID_JSON', 'message is not valid JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('INVALID_JSON', 'message must be a JSON object');
  }
  checkShape(value as Record<string, unknown>);
  return value as Record<string, unknown>;
};

const readAction = (message: Record<string, unknown>, requestId: RequestId | undefined): Action => {
  const action = message.action;
  if (action === undefined) {
    throw new ProtocolError('UNKNOWN_ACTION', 'action is required', { requestId });
  }
  if (typeof action !== 'string') {
    throw new ProtocolError('UNKNOWN_ACTION', 'action must be a string', { requestId });
  }
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new ProtocolError(
      'UNKNOWN_ACTION',
      `unknown action ${quote(action)}; expected one of ${ACTIONS.join(', ')}`,
      {
        requestId,
      },
    );
  }
  return action as Action;
};

/**
 * Parses one frame sent by a client.
 *
 * Checks run in the order of the README's error table: JSON, then `action`, then the action's fields, so a
 * client always learns about the most basic problem first. The `id` is read before anything else so that
 * every error after the JSON stage can echo it.
 *
 * Bounds come first: a frame over {@link MAX_INBOUND_BYTES} or with more than {@link MAX_JSON_KEYS} keys is
 * `PAYLOAD_TOO_LARGE`, one nested deeper than {@link MAX_JSON_DEPTH} is `INVALID_REQUEST`. Keys such as
 * `__proto__` are harmless: `JSON.parse` makes them plain own properties, the schemas copy only known
 * fields, and `data` is passed on (and delivered) verbatim.
 *
 * @throws {ProtocolError} with code `INVALID_JSON`, `UNKNOWN_ACTION`, `INVALID_REQUEST`, `INVALID_CHANNEL` or
 *   `PAYLOAD_TOO_LARGE`.
 * @example
 * parseRequest('{"action":"subscribe","channel":"lobby","id":1}');
 * // → { action: 'subscribe', channel: 'lobby', id: 1 }
 */
export const parseRequest = (body: string | undefined): Request => {
  const message = parseObject(body);
  const requestId = isRequestId(message.id) ? message.id : undefined;
  const action = readAction(message, requestId);
  const schema = schemas.get(action);
  const result = schema?.safeParse(message);
  if (result === undefined || !result.success) {
    const issue = result?.error.issues[0];
    const field = String(issue?.path[0] ?? 'message');
    const code =
      (field === 'channel' || field === 'board') && issue?.code !== 'invalid_type'
        ? 'INVALID_CHANNEL'
        : 'INVALID_REQUEST';
    throw new ProtocolError(code, issue?.message ?? `${field} is invalid`, { requestId });
  }
  return { ...(result.data as object), action } as Request;
};

/**
 * Parses a frame that API Gateway routed to the handler of `action`. The route key is chosen from the same
 * `action` field, so a mismatch means the route wiring is wrong; it is still answered, not thrown.
 *
 * @throws {ProtocolError} as {@link parseRequest}, or `UNKNOWN_ACTION` when the action differs.
 */
export const parseRequestFor = <A extends Action>(body: string | undefined, action: A): RequestFor<A> => {
  const request = parseRequest(body);
  if (request.action !== action) {
    throw new ProtocolError('UNKNOWN_ACTION', `this route only handles action "${action}"`, {
      requestId: request.id,
    });
  }
  return request as RequestFor<A>;
};
