/**
 * The fuzzer's frames: bad input of every kind a client can send, each with what the API must do about it.
 * Seeded, so a run can be repeated exactly.
 *
 * @module
 */

/** What a frame deserves: an error frame, a normal reply (it is odd but valid), or the socket closed. */
export type Deserves = 'error' | 'reply' | 'close';

/** One generated frame. */
export interface BadFrame {
  readonly kind: string;
  readonly payload: string | Buffer;
  readonly deserves: Deserves;
}

/** A small, fast, seeded PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const randomText = (random: () => number, length: number): string => {
  let text = '';
  for (let i = 0; i < length; i += 1) text += String.fromCharCode(Math.floor(random() * 256));
  return text;
};

/** Requests whose fields have the wrong type or range: each must get an error frame. */
const WRONG_TYPES: readonly unknown[] = [
  { action: 42 },
  { action: null },
  { action: ['publish'] },
  { action: 'publish', channel: 5, data: 1 },
  { action: 'publish', channel: 'fuzz' },
  { action: 'publish', channel: '', data: 1 },
  { action: 'publish', channel: 'a b', data: 1 },
  { action: 'publish', channel: 'x'.repeat(129), data: 1 },
  { action: 'subscribe' },
  { action: 'subscribe', channel: 'fuzz', history: 'yes' },
  { action: 'subscribe', channel: 'fuzz', since: -1 },
  { action: 'subscribe', channel: 'fuzz', presence: 1 },
  { action: 'history', channel: 'fuzz', limit: 1e9 },
  { action: 'score', board: 'fuzz', player: 'p', points: '10' },
  { action: 'score', board: 'fuzz', player: 'p', points: 1.5 },
  { action: 'score', board: 'fuzz', player: '', points: 1 },
  { action: 'score', board: 'fuzz', player: 'p', points: 1e12 },
  { action: 'top', board: 'fuzz', limit: -3 },
  { action: 'ping', id: { nested: true } },
  { action: 'ping', id: 'i'.repeat(200) },
  { action: 'nosuchaction' },
  { channel: 'fuzz' },
  [],
  [1, 2, 3],
  'a string',
  12,
  null,
  true,
];

/** Prototype keys where they make a request invalid. */
const PROTOTYPE_ERRORS: readonly string[] = [
  '{"action":"__proto__"}',
  '{"action":"constructor"}',
  '{"action":"prototype"}',
  '{"action":"toString"}',
  '{"action":"hasOwnProperty"}',
  '{"__proto__":{"action":"ping"}}',
  '{"action":"subscribe","channel":{"__proto__":{"length":1}}}',
  '{"action":"publish","channel":"constructor","__proto__":{"data":1}}',
  '{"action":"score","board":"b","player":"p","points":{"constructor":{"prototype":1}}}',
];

/** Prototype keys where the request stays valid: answered normally, the keys harmless. */
const PROTOTYPE_REPLIES: readonly string[] = [
  '{"action":"ping","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  '{"action":"ping","id":"__proto__"}',
  '{"action":"history","channel":"__proto__"}',
  '{"action":"top","board":"constructor"}',
];

/** Unicode edge cases: lone surrogates, a BOM, NUL, overlong text in names. */
const UNICODE_ERRORS: readonly string[] = [
  '\ufeff{"action":"ping"}',
  '{"action":"subscribe","channel":"\\ud800"}',
  '{"action":"subscribe","channel":"\ud800"}',
  '{"action":"subscribe","channel":"a\\u0000b"}',
  '{"action":"publish","channel":"\u202e","data":1}',
  '{"action":"ping\\u0000"}',
  '\u0000',
  '{"action":"ping"',
  '{"action":"ping"}}',
  '{"action":"ping",}',
  "{'action':'ping'}",
  '',
  ' ',
];

const deep = (depth: number): string =>
  `{"action":"publish","channel":"fuzz","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;

const manyKeys = (keys: number): string =>
  JSON.stringify({
    action: 'publish',
    channel: 'fuzz',
    data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 0])),
  });

/** Relative weights of the kinds: frames that close the socket are rare, as each costs a reconnect. */
const KINDS: readonly (readonly [string, number])[] = [
  ['random-text', 20],
  ['deep-json', 10],
  ['huge-json', 6],
  ['wrong-types', 25],
  ['prototype-error', 10],
  ['prototype-reply', 5],
  ['unicode', 20],
  ['oversize', 1],
  ['binary', 1],
];
const TOTAL_WEIGHT = KINDS.reduce((sum, [, weight]) => sum + weight, 0);

/** The next bad frame. */
export function nextBadFrame(random: () => number): BadFrame {
  let roll = random() * TOTAL_WEIGHT;
  let kind = 'random-text';
  for (const [name, weight] of KINDS) {
    roll -= weight;
    if (roll < 0) {
      kind = name;
      break;
    }
  }
  switch (kind) {
    case 'deep-json':
      return { kind, payload: deep(33 + Math.floor(random() * 5_000)), deserves: 'error' };
    case 'huge-json':
      // Under API Gateway's 32 KB frame limit, over the 1,000-key bound.
      return { kind, payload: manyKeys(1_001 + Math.floor(random() * 1_500)), deserves: 'error' };
    case 'wrong-types':
      return { kind, payload: JSON.stringify(pick(random, WRONG_TYPES)), deserves: 'error' };
    case 'prototype-error':
      return { kind, payload: pick(random, PROTOTYPE_ERRORS), deserves: 'error' };
    case 'prototype-reply':
      return { kind, payload: pick(random, PROTOTYPE_REPLIES), deserves: 'reply' };
    case 'unicode':
      return { kind, payload: pick(random, UNICODE_ERRORS), deserves: 'error' };
    case 'oversize':
      // Over API Gateway's 128 KB message limit: the gateway closes the socket (1009).
      return {
        kind,
        payload: `{"action":"publish","channel":"fuzz","data":"${'x'.repeat(140_000)}"}`,
        deserves: 'close',
      };
    case 'binary':
      // API Gateway takes text frames only (1003).
      return { kind, payload: Buffer.from(randomText(random, 64), 'latin1'), deserves: 'close' };
    default: {
      // Random bytes as text; a leading `~` keeps it from ever being a JSON object by chance.
      return { kind, payload: `~${randomText(random, 1 + Math.floor(random() * 2_000))}`, deserves: 'error' };
    }
  }
}
