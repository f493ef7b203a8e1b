/**
 * Chat history and resume: what a channel keeps, and the page of it a subscriber gets.
 *
 * The order of reads is what makes resume gap-free: a subscriber writes its subscription first and reads the
 * history after, while a publisher keeps the message before it reads the subscribers. Every message is
 * therefore either delivered live or found in the history read — possibly both, and clients drop the
 * duplicate by `seq`.
 *
 * @module
 */
import { MAX_FRAME_BYTES } from './constants.js';
import { frameBytes, type HistoryPage, type MessageEnvelope } from './frames.js';
import type { HistoryStore } from './ports.js';

/** Room kept in a reply frame for everything but its messages (type, channel, seq, flags, id). */
const REPLY_OVERHEAD_BYTES = 1_024;

/** What a page of history may take of a reply frame by default. */
export const HISTORY_REPLY_BUDGET_BYTES = MAX_FRAME_BYTES - REPLY_OVERHEAD_BYTES;

/** Which kept messages a subscriber wants: those after `since` (resume), or the newest `count`. */
export type HistoryQuery =
  | {
      readonly since: number;
      readonly limit: number;
      /** How many messages the channel keeps (`HISTORY_SIZE`). @default limit */
      readonly window?: number;
    }
  | { readonly latest: number };

/**
 * Reads a page of a channel's kept messages, oldest first, as many as fit in one reply frame.
 *
 * - With `since`: the messages after it; `recovered` is false when the first message after `since` is no
 *   longer kept (or the channel restarted its sequence), so the app must reload its state; `more` says that
 *   further kept messages follow (ask again with `since` = the last `seq` returned).
 * - With `latest`: the newest messages.
 *
 * The channel's `seq` is read before the messages, so a message published in between is either in the page
 * or newer than `seq`.
 */
export const readHistory = async (
  store: HistoryStore,
  channel: string,
  query: HistoryQuery,
  maxBytes: number = HISTORY_REPLY_BUDGET_BYTES,
): Promise<HistoryPage> => {
  const seq = await store.currentSequence(channel);
  if ('latest' in query) {
    const messages = query.latest > 0 ? await store.latest(channel, query.latest) : [];
    const fitted = newestThatFit(messages, maxBytes);
    return { seq, messages: fitted, ...(fitted.length < messages.length ? { more: true } : {}) };
  }
  const { since, limit } = query;
  if (since >= seq) return { seq, messages: [], recovered: since === seq };
  const messages = await store.after(channel, since, limit);
  const fitted = oldestThatFit(messages, maxBytes);
  const last = fitted.at(-1)?.seq ?? since;
  // Only the message `window` places back is ever trimmed, so a missed message that is not (yet) kept but is
  // within the window is in flight: a concurrent publish has its seq and is about to keep it, and the client
  // holds later messages for it. A first message too large for the reply frame cannot be recovered.
  const withinWindow = since >= seq - (query.window ?? limit);
  const tooLarge = fitted.length === 0 && messages.length > 0;
  return {
    seq,
    messages: fitted,
    recovered: fitted[0]?.seq === since + 1 || (withinWindow && !tooLarge),
    ...(last < seq && fitted.length > 0 ? { more: true } : {}),
  };
};

const sizeOf = (message: MessageEnvelope): number => frameBytes(JSON.stringify(message)) + 1;

/** The longest prefix of `messages` whose encoded size fits in `maxBytes` (at least nothing). */
const oldestThatFit = (messages: readonly MessageEnvelope[], maxBytes: number): MessageEnvelope[] => {
  const fitted: MessageEnvelope[] = [];
  let bytes = 0;
  for (const message of messages) {
    bytes += sizeOf(message);
    if (bytes > maxBytes) break;
    fitted.push(message);
  }
  return fitted;
};

/** The longest suffix of `messages` whose encoded size fits in `maxBytes`. */
const newestThatFit = (messages: readonly MessageEnvelope[], maxBytes: number): MessageEnvelope[] =>
  oldestThatFit([...messages].reverse(), maxBytes).reverse();
