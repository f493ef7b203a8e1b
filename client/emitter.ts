/**
 * A typed event emitter that works the same in browsers and Node: `on` returns the function that removes
 * the listener, and a listener that throws never breaks the client or the other listeners.
 *
 * @module
 */

/** Maps each event name to the arguments its listeners receive. */
export type EventMap = Record<string, readonly unknown[]>;

/** A listener of event `K`. */
export type Listener<Events extends EventMap, K extends keyof Events> = (...args: Events[K]) => void;

/**
 * Holds listeners per event and calls them in the order they were added.
 *
 * @example
 * const events = new Emitter<{ tick: [n: number] }>((error) => console.error(error));
 * const off = events.on('tick', (n) => console.log(n));
 * events.emit('tick', 1);
 * off();
 */
export class Emitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<Listener<Events, keyof Events>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  /** @param onListenerError - receives whatever a listener throws, with the event it was called for. */
  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events, K>): () => void {
    const listeners = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, listeners);
    const entry = listener as Listener<Events, keyof Events>;
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  /** Whether event `K` has at least one listener. */
  has<K extends keyof Events>(event: K): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event`; a listener added or removed meanwhile takes effect next time. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const listeners = this.#listeners.get(event);
    if (listeners === undefined) {
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
