/**
 * The chat room: the channel's messages (the kept history first, then live ones, each once and in `seq`
 * order, as the client delivers them) with their authors, and the form that publishes a message. A message
 * is shown when it comes back from the server, never optimistically, so every page shows the same list,
 * and the page's own messages are published one after the other, so they get seqs in the order typed.
 *
 * @module
 */
import type { MessageEnvelope } from '../client/index.js';
import { element } from './dom.js';

/** What the demo publishes: `{ text }`. Other shapes on the channel are shown as JSON. */
export interface ChatData {
  readonly text: string;
}

/** The longest message the form takes (a frame must stay under 32 KB). */
export const MAX_TEXT_LENGTH = 500;
/** Older messages are dropped from the page beyond this many. */
const MAX_SHOWN = 200;
/** A list scrolled to within this many pixels of its end follows new messages. */
const FOLLOW_SLACK_PX = 48;

/** What {@link ChatView} needs. */
export interface ChatViewOptions {
  /** The local user's clientId: their own messages are marked. */
  readonly ownClientId: string;
  /** Publishes `{ text }`. */
  readonly onSend: (data: ChatData) => Promise<unknown>;
  /** Shows why a publish failed. */
  readonly onError: (error: unknown) => void;
}

/** The text a message's data shows as. */
export function textOf(data: unknown): string {
  if (typeof data === 'object' && data !== null && 'text' in data && typeof data.text === 'string') {
    return data.text;
  }
  const json = JSON.stringify(data) ?? String(data);
  return json.length > MAX_TEXT_LENGTH ? `${json.slice(0, MAX_TEXT_LENGTH)}…` : json;
}

/** The message list and the send form of one channel. */
export class ChatView {
  readonly #list: HTMLOListElement;
  readonly #options: ChatViewOptions;
  #sending: Promise<void> = Promise.resolve();

  constructor(
    list: HTMLOListElement,
    form: HTMLFormElement,
    input: HTMLInputElement,
    options: ChatViewOptions,
  ) {
    this.#list = list;
    this.#options = options;
    input.maxLength = MAX_TEXT_LENGTH;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text === '') return;
      // Cleared at once so the next message can be typed while this one is in flight; put back on failure.
      input.value = '';
      // One publish at a time: API Gateway runs a connection's frames concurrently, so two publishes in
      // flight together could get their seqs in either order, and the chat would not read as typed.
      this.#sending = this.#sending.then(async () => {
        try {
          await options.onSend({ text });
        } catch (error) {
          if (input.value === '') input.value = text;
          options.onError(error);
        }
      });
    });
  }

  /** Adds a delivered message at the end. */
  append(message: MessageEnvelope): void {
    const follow = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < FOLLOW_SLACK_PX;
    const author = message.author;
    const mine = author?.clientId === this.#options.ownClientId;
    const sent = new Date(Number.isFinite(message.sentAt) ? message.sentAt : Date.now());
    const item = element(
      'li',
      {
        className: mine ? 'message mine' : 'message',
        attributes: {
          'data-seq': String(message.seq),
          'data-from': message.from,
          ...(author === undefined ? {} : { 'data-client-id': author.clientId }),
        },
      },
      element('span', { className: 'author', text: author?.name ?? author?.clientId ?? 'anonymous' }),
      element('time', {
        text: sent.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
        attributes: { datetime: sent.toISOString() },
      }),
      element('p', { className: 'text', text: textOf(message.data) }),
    );
    this.#list.append(item);
    while (this.#list.children.length > MAX_SHOWN) this.#list.firstElementChild?.remove();
    if (follow) this.#list.scrollTop = this.#list.scrollHeight;
  }

  /** Empties the list and says why: what follows starts again from the oldest message the server kept. */
  reset(reason: string): void {
    this.#list.replaceChildren(element('li', { className: 'notice', text: reason }));
  }
}
