/**
 * Who is online in the channel: one entry per client (the client library's `trackPresence` groups a
 * client's connections by `clientId`), the user's own entry marked, and a count for a client with several
 * tabs open.
 *
 * @module
 */
import type { PresentClient } from '../client/index.js';
import { element } from './dom.js';

/** Renders a member list into a `<ul>` and the count into its heading. */
export class PresenceListView {
  readonly #list: HTMLUListElement;
  readonly #count: HTMLElement;
  readonly #ownClientId: string;

  constructor(list: HTMLUListElement, count: HTMLElement, ownClientId: string) {
    this.#list = list;
    this.#count = count;
    this.#ownClientId = ownClientId;
  }

  /** Replaces the list with these members, the user first, then by name. */
  render(members: readonly PresentClient[]): void {
    const sorted = [...members].sort(
      (a, b) =>
        Number(b.clientId === this.#ownClientId) - Number(a.clientId === this.#ownClientId) ||
        (a.name ?? a.clientId).localeCompare(b.name ?? b.clientId),
    );
    this.#list.replaceChildren(
      ...sorted.map((member) => {
        const mine = member.clientId === this.#ownClientId;
        return element(
          'li',
          { className: mine ? 'member mine' : 'member', attributes: { 'data-client-id': member.clientId } },
          element('span', { className: 'online-dot', attributes: { 'aria-hidden': 'true' } }),
          element('span', { className: 'name', text: member.name ?? member.clientId }),
          ...(mine ? [element('span', { className: 'you', text: ' (you)' })] : []),
          ...(member.connections > 1
            ? [
                element('span', {
                  className: 'tabs',
                  text: ` ×${member.connections}`,
                  attributes: { title: `${member.connections} connections` },
                }),
              ]
            : []),
        );
      }),
    );
    this.#count.textContent = String(members.length);
  }
}
