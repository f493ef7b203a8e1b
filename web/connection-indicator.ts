/**
 * The header's account of the link: the connection state as a coloured dot with a label
 * (`connecting`/`open`/`reconnecting`/`closed`, plus when the next attempt is due), and a one-line status
 * that shows the latest error by its stable code. Both are live regions, so screen readers hear changes.
 *
 * @module
 */
import type { ConnectionState, StateInfo } from '../client/index.js';

const LABELS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Shows the client's connection state; `data-state` carries the raw state for styling and tests. */
export class ConnectionIndicator {
  readonly #root: HTMLElement;
  readonly #label: HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
    const label = root.querySelector('.label');
    if (!(label instanceof HTMLElement)) throw new Error('the connection indicator has no .label');
    this.#label = label;
  }

  /** Renders a state; `info.retryInMs` (when reconnecting) is shown in seconds. */
  show(state: ConnectionState, info?: StateInfo): void {
    this.#root.dataset.state = state;
    const retry =
      state === 'reconnecting' && info?.retryInMs !== undefined
        ? ` (retry in ${(info.retryInMs / 1000).toFixed(1)} s)`
        : '';
    this.#label.textContent = `${LABELS[state]}${retry}`;
  }
}

/** Anything thrown or reported, as `CODE: message` when it has a code (`RealtimeError`, `ConfigError`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : error.name;
    return `${code}: ${error.message}`;
  }
  return `ERROR: ${String(error)}`;
}

/** The status line: the latest error with its time, cleared by {@link StatusLine.clear}. */
export class StatusLine {
  readonly #root: HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Shows an error in place of the previous one. */
  error(error: unknown): void {
    const time = new Date().toLocaleTimeString();
    this.#root.textContent = `${time} ${describeError(error)}`;
    this.#root.dataset.kind = 'error';
  }

  /** Shows a neutral note (e.g. why the list was cleared). */
  note(text: string): void {
    this.#root.textContent = text;
    this.#root.dataset.kind = 'note';
  }

  clear(): void {
    this.#root.textContent = '';
    delete this.#root.dataset.kind;
  }
}
