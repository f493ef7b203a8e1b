/**
 * What the demo page connects to and as whom: the WebSocket URL (`?url=`, else `config.json` from the page's
 * own origin, which the local demo server and the AWS deployment both serve), the user's display name
 * (`?name=`, else the one stored, else a generated one) and a stable `clientId`, both kept in
 * `localStorage` so a reload is the same person to presence. The token (`?token=`, else `config.json`'s
 * `token`, which the local runtime signs for the user the page names in `config.json?clientId=`) is passed
 * through to the client. With a token the server takes the client id from it (its `sub`), so the page does
 * too: it marks its own messages and presence by the token's user and does not send a `clientId` of its own.
 *
 * No DOM types here: the page passes its `location`, `localStorage` and `fetch` in, and unit tests fakes.
 *
 * @module
 */

/** The channel of the demo: its chat, and the leaderboard of the board of the same name. */
export const CHANNEL = 'game-1';

/** The fixed players every page can score for, besides the user's own player. */
export const ROSTER: readonly string[] = ['alice', 'bob', 'carol', 'dave'];

/** The server's limit on `?name=` (longer refuses the handshake with 400). */
export const MAX_NAME_LENGTH = 64;

const STORAGE_KEYS = { clientId: 'realtime-demo.clientId', name: 'realtime-demo.name' } as const;
/** `clientId` and player ids: 1–64 of these (the server's identifier rule). */
const IDENTIFIER = /^[A-Za-z0-9_\-.:@]{1,64}$/;
const NOT_IDENTIFIER_CHARACTERS = /[^A-Za-z0-9_\-.:@]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the server refuses names with control characters.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONFIG_TIMEOUT_MS = 10_000;

const ADJECTIVES = ['swift', 'brave', 'calm', 'lucky', 'quiet', 'bold', 'keen', 'merry'];
const ANIMALS = ['otter', 'falcon', 'lynx', 'heron', 'badger', 'panda', 'gecko', 'koala'];

/** Everything the page needs to connect. */
export interface DemoSettings {
  /** `ws://` or `wss://` URL of the WebSocket API. */
  readonly url: string;
  /**
   * Stable per browser profile: presence groups this user's tabs by it. With a token, the token's user (its
   * `sub`), which the server makes the connection's client id; else the stored one, sent as `?clientId=`.
   */
  readonly clientId: string;
  /** Display name, shown as the author of messages and in the online list. */
  readonly name: string;
  /** The user's own player on the board: the name with characters players may not have replaced by `-`. */
  readonly player: string;
  /** Passed to the client's `token` option when given. */
  readonly token?: string;
}

/** The part of `localStorage` the page uses; its methods may throw (storage disabled). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Where the settings come from. */
export interface SettingsSources {
  /** The page's address (`location.href`): its query and the origin `config.json` is fetched from. */
  readonly pageUrl: string;
  /** `localStorage`, or undefined when the browser has none. */
  readonly storage?: KeyValueStore;
  /** `fetch`, used only when there is no `?url=`. */
  readonly fetch: (
    url: string,
    init: { signal: AbortSignal; cache: 'no-store' },
  ) => Promise<{
    readonly ok: boolean;
    readonly status: number;
    json(): Promise<unknown>;
  }>;
  /** Fills an array with random bytes. @default crypto.getRandomValues */
  readonly randomBytes?: (bytes: Uint8Array) => Uint8Array;
}

/** The settings cannot be resolved: a bad `?url=`, or no usable `config.json`. `code` is for the status line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG';
}

/**
 * Resolves the settings, storing the name and clientId for the next visit.
 *
 * @throws {ConfigError} when neither `?url=` nor `config.json` gives a `ws(s)://` URL.
 * @example
 * const settings = await resolveSettings({ pageUrl: location.href, storage: localStorage, fetch: fetch.bind(window) });
 */
export async function resolveSettings(sources: SettingsSources): Promise<DemoSettings> {
  const page = new URL(sources.pageUrl);
  const query = page.searchParams;
  const random = sources.randomBytes ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const store = safeStore(sources.storage);

  const storedId = store.get(STORAGE_KEYS.clientId);
  const clientId = storedId !== undefined && IDENTIFIER.test(storedId) ? storedId : `web-${hex(random, 8)}`;
  const name =
    cleanName(query.get('name')) ?? cleanName(store.get(STORAGE_KEYS.name)) ?? generatedName(random);
  store.set(STORAGE_KEYS.clientId, clientId);
  store.set(STORAGE_KEYS.name, name);

  const { url, token: configToken } = await websocketUrl(query.get('url'), page, sources.fetch, clientId);
  const token = query.get('token') ?? configToken;
  const player = name.replace(NOT_IDENTIFIER_CHARACTERS, '-').slice(0, MAX_NAME_LENGTH);
  return token
    ? { url, clientId: subjectOf(token) ?? clientId, name, player, token }
    : { url, clientId, name, player };
}

/**
 * The `sub` of a JWT, read without verifying it (the server verifies; the page only needs to know who it is),
 * or undefined when the token is not a JWT with a string `sub`.
 */
export function subjectOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const sub =
      typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>).sub : undefined;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** A name the server accepts (no control characters, at most 64 characters), or undefined if nothing is left. */
export function cleanName(raw: string | null | undefined): string | undefined {
  const name = (raw ?? '').replace(CONTROL_CHARACTERS, '').trim().slice(0, MAX_NAME_LENGTH).trim();
  return name === '' ? undefined : name;
}

async function websocketUrl(
  param: string | null,
  page: URL,
  fetchConfig: SettingsSources['fetch'],
  clientId: string,
): Promise<{ url: string; token?: string }> {
  if (param !== null) return { url: checkedUrl(param, '?url=') };
  // `?clientId=` asks the local demo server for a token of this browser's own user; a static host ignores it.
  const configUrl = new URL('config.json', page).href;
  let body: unknown;
  try {
    const response = await fetchConfig(`${configUrl}?${new URLSearchParams({ clientId })}`, {
      signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS),
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new ConfigError(
      `could not load ${configUrl} (${error instanceof Error ? error.message : String(error)}); open the page with ?url=ws://…`,
      { cause: error },
    );
  }
  const config = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const url = checkedUrl(config.url, 'config.json "url"');
  return typeof config.token === 'string' && config.token !== '' ? { url, token: config.token } : { url };
}

function checkedUrl(value: unknown, source: string): string {
  if (typeof value === 'string' && /^wss?:\/\/[^\s]+$/i.test(value)) return value;
  throw new ConfigError(`${source} must be a ws:// or wss:// URL, got ${JSON.stringify(value)}`);
}

function generatedName(random: (bytes: Uint8Array) => Uint8Array): string {
  const [a = 0, b = 0, c = 0] = random(new Uint8Array(3));
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${ANIMALS[b % ANIMALS.length]}-${c % 100}`;
}

function hex(random: (bytes: Uint8Array) => Uint8Array, length: number): string {
  return [...random(new Uint8Array(length))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Storage that may be missing or throw (private mode, disabled cookies) is used when it works. */
function safeStore(storage: KeyValueStore | undefined): {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
} {
  return {
    get: (key) => {
      try {
        return storage?.getItem(key) ?? undefined;
      } catch {
        return undefined;
      }
    },
    set: (key, value) => {
      try {
        storage?.setItem(key, value);
      } catch {
        // Not persisted: the next visit gets a new name and clientId, which is all this costs.
      }
    },
  };
}
