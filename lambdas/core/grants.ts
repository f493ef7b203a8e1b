/**
 * Who may do what: the grants a token carries (per channel and operation, like Ably's capabilities), read
 * from its claims by the authorizer and checked by every route before it does any work. Pure: no AWS, no JWT
 * library; the authorizer verifies the signature first and hands the verified claims here.
 *
 * Patterns (channel keys and `users` entries): an exact name, `prefix*` (every name that starts with
 * `prefix`) or `*` (everything).
 *
 * @module
 */
import { CHANNEL_PATTERN, MAX_CHANNEL_LENGTH, MAX_NAME_LENGTH } from './constants.js';

/** An operation a grant allows on a channel; `top` (reading a board) needs `history`. */
export type Operation = 'subscribe' | 'publish' | 'presence' | 'history' | 'score';

/** Every {@link Operation}, in the order the README lists them. */
export const OPERATIONS: readonly Operation[] = ['subscribe', 'publish', 'presence', 'history', 'score'];

/** Operations that only read a channel: what a public channel allows to anyone. */
const READ_OPERATIONS: ReadonlySet<Operation> = new Set(['subscribe', 'presence', 'history']);

/** What a connection may do. */
export interface Grants {
  /** Channel pattern → the operations allowed on the channels it matches (`*`: all of them). */
  readonly channels: Readonly<Record<string, readonly (Operation | '*')[]>>;
  /** Whether it may `sendmessage` (broadcast to every open connection). */
  readonly broadcast: boolean;
  /** User-id patterns it may message directly. */
  readonly users: readonly string[];
}

/** Grants that allow nothing. */
export const NO_GRANTS: Grants = Object.freeze({ channels: Object.freeze({}), broadcast: false, users: [] });

/** Who a verified token says the caller is, and what it may do. */
export interface Principal {
  readonly userId: string;
  readonly name?: string;
  readonly grants: Grants;
}

/** A user id: the token's `sub`. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;
/** At most this many channel patterns and user patterns per token (the authorizer context has a size limit). */
export const MAX_PATTERNS = 100;

/** The token's claims are not what this API accepts (a 403 at the handshake, not a 401). */
export class InvalidClaimsError extends Error {
  override readonly name = 'InvalidClaimsError';
}

/** Control characters have no place in a display name shown to other users. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** True when `pattern` (exact, `prefix*` or `*`) matches `value`. */
export const matchesPattern = (pattern: string, value: string): boolean =>
  pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;

/** True when the grants allow `operation` on `channel`. */
export const allows = (grants: Grants, operation: Operation, channel: string): boolean =>
  Object.entries(grants.channels).some(
    ([pattern, operations]) =>
      matchesPattern(pattern, channel) && (operations.includes('*') || operations.includes(operation)),
  );

/** True when the grants allow messaging `userId` directly. */
export const mayMessageUser = (grants: Grants, userId: string): boolean =>
  grants.users.some((pattern) => matchesPattern(pattern, userId));

/**
 * The route-side decision. With auth on (`grants` defined), an operation is allowed when the grants allow it,
 * or when it only reads (`subscribe`, `presence`, `history`) a public channel. With auth off (`grants`
 * undefined) everything is allowed except writing (`publish`, `score`) to a public channel: public channels
 * are read-only to every client, whoever may connect.
 */
export const mayAccess = (
  grants: Grants | undefined,
  publicChannels: readonly string[],
  operation: Operation,
  channel: string,
): boolean => {
  const isPublic = publicChannels.some((pattern) => matchesPattern(pattern, channel));
  if (grants === undefined) return !isPublic || READ_OPERATIONS.has(operation);
  return allows(grants, operation, channel) || (isPublic && READ_OPERATIONS.has(operation));
};

/**
 * Parses `PUBLIC_CHANNELS` (comma-separated patterns; blanks ignored).
 *
 * @throws {InvalidClaimsError} naming a pattern that could never match a channel.
 */
export const parsePublicChannels = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '')
    .map((pattern) => checkedPattern(pattern, 'PUBLIC_CHANNELS'));

/**
 * Reads the claims of a verified token into a {@link Principal}: `sub` (required), `name?`, `channels?`,
 * `broadcast?`, `users?`. Absent grants allow nothing.
 *
 * @throws {InvalidClaimsError} with the first problem found.
 */
export const principalFromClaims = (claims: Readonly<Record<string, unknown>>): Principal => {
  const { sub, name, channels, broadcast, users } = claims;
  if (typeof sub !== 'string' || !USER_ID_PATTERN.test(sub)) {
    throw new InvalidClaimsError('sub must be 1-128 characters of A-Z a-z 0-9 _ . @ : -');
  }
  if (name !== undefined && !isDisplayName(name)) {
    throw new InvalidClaimsError(`name must be a string of at most ${MAX_NAME_LENGTH} characters`);
  }
  const grants = grantsFromJson({
    channels: channels ?? {},
    broadcast: broadcast ?? false,
    users: users ?? [],
  });
  return { userId: sub, ...(name === undefined || name === '' ? {} : { name }), grants };
};

/**
 * Validates an untrusted value as {@link Grants} (claims, or the `grants` JSON of the authorizer context).
 *
 * @throws {InvalidClaimsError} with the first problem found.
 */
export const grantsFromJson = (value: unknown): Grants => {
  if (!isRecord(value)) throw new InvalidClaimsError('grants must be an object');
  const { channels, broadcast, users } = value;
  if (!isRecord(channels)) throw new InvalidClaimsError('channels must be an object of pattern → operations');
  const entries = Object.entries(channels);
  if (entries.length > MAX_PATTERNS) throw new InvalidClaimsError(`at most ${MAX_PATTERNS} channel patterns`);
  // fromEntries defines own properties, so a `__proto__` key stays a key and never becomes a prototype.
  const checked = Object.fromEntries(
    entries.map(([pattern, operations]) => [
      checkedPattern(pattern, 'channels'),
      checkedOperations(pattern, operations),
    ]),
  );
  if (typeof broadcast !== 'boolean') throw new InvalidClaimsError('broadcast must be true or false');
  if (!Array.isArray(users) || users.length > MAX_PATTERNS) {
    throw new InvalidClaimsError(`users must be an array of at most ${MAX_PATTERNS} user-id patterns`);
  }
  const userPatterns = users.map((pattern: unknown) => {
    const bare = typeof pattern === 'string' && pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
    if (typeof bare !== 'string' || (bare !== '' && !USER_ID_PATTERN.test(bare))) {
      throw new InvalidClaimsError(`users: ${JSON.stringify(pattern)} is not a user id, "prefix*" or "*"`);
    }
    return bare === pattern ? bare : `${bare}*`;
  });
  return { channels: Object.freeze(checked), broadcast, users: Object.freeze(userPatterns) };
};

/** True for a channel name, `prefix*` or `*`. */
export const isChannelPattern = (pattern: string): boolean => {
  const bare = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
  return bare === '' ? pattern === '*' : bare.length <= MAX_CHANNEL_LENGTH && CHANNEL_PATTERN.test(bare);
};

function checkedPattern(pattern: string, where: string): string {
  if (!isChannelPattern(pattern)) {
    throw new InvalidClaimsError(
      `${where}: ${JSON.stringify(pattern).slice(0, 80)} is not a channel name, "prefix*" or "*"`,
    );
  }
  return pattern;
}

function checkedOperations(pattern: string, operations: unknown): readonly (Operation | '*')[] {
  const valid = (operation: unknown): operation is Operation | '*' =>
    operation === '*' || OPERATIONS.includes(operation as Operation);
  if (!Array.isArray(operations) || operations.length === 0 || !operations.every(valid)) {
    throw new InvalidClaimsError(
      `channels[${JSON.stringify(pattern)}] must be a non-empty array of ${OPERATIONS.join(', ')} or "*"`,
    );
  }
  return Object.freeze([...new Set(operations)]);
}

function isDisplayName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && !CONTROL_CHARACTERS.test(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
