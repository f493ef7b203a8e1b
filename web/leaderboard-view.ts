/**
 * The live leaderboard: one horizontal bar per player, in rank order, that glides to its new place when the
 * ranking changes. The DOM order always equals the ranking (what screen readers read and tests assert);
 * the motion is FLIP: measure each row (First), reorder (Last), offset every moved row back to where it was
 * (Invert) and animate the offset away (Play), so only `transform` animates. Bar lengths follow the score
 * with a CSS transition. With `prefers-reduced-motion`, rows jump.
 *
 * @module
 */
import type { LeaderboardEntry, LeaderboardSnapshot } from '../client/index.js';
import { element, prefersReducedMotion } from './dom.js';

const MOVE_MS = 450;
const MOVE_EASING = 'cubic-bezier(0.2, 0.8, 0.2, 1)';

/** A player's row and the parts that change. */
interface Row {
  readonly item: HTMLLIElement;
  readonly rank: HTMLElement;
  readonly score: HTMLElement;
}

/** Renders snapshots of one board into an `<ol>`. */
export class LeaderboardView {
  readonly #list: HTMLOListElement;
  readonly #empty: HTMLElement;
  readonly #ownPlayer: string;
  readonly #rows = new Map<string, Row>();
  readonly #moves = new Map<string, Animation>();

  /**
   * @param list the `<ol>` the rows go in (it should be `aria-live`).
   * @param empty shown while the board has no scores.
   * @param ownPlayer the local user's player, whose row is highlighted.
   */
  constructor(list: HTMLOListElement, empty: HTMLElement, ownPlayer: string) {
    this.#list = list;
    this.#empty = empty;
    this.#ownPlayer = ownPlayer;
  }

  /** Shows a snapshot; the client only passes snapshots newer than the last one. */
  render(snapshot: LeaderboardSnapshot): void {
    const first = new Map<string, number>();
    for (const [player, row] of this.#rows) first.set(player, row.item.getBoundingClientRect().top);

    const top = [...snapshot.top].sort((a, b) => a.rank - b.rank);
    const best = Math.max(1, ...top.map((entry) => entry.score));
    const shown = new Set<string>();
    top.forEach((entry, index) => {
      shown.add(entry.player);
      const row = this.#rows.get(entry.player) ?? this.#create(entry.player);
      this.#update(row, entry, best);
      // Move only rows that are out of place: a node moved needlessly is re-announced by the live region.
      const at = this.#list.children[index];
      if (at !== row.item) this.#list.insertBefore(row.item, at ?? null);
    });
    for (const [player, row] of this.#rows) {
      if (!shown.has(player)) {
        row.item.remove();
        this.#rows.delete(player);
      }
    }
    this.#empty.hidden = top.length > 0;
    this.#list.dataset.version = String(snapshot.version);
    if (!prefersReducedMotion()) this.#play(first);
  }

  #create(player: string): Row {
    const rank = element('span', { className: 'rank' });
    const score = element('span');
    const item = element(
      'li',
      {
        className: player === this.#ownPlayer ? 'row mine entering' : 'row entering',
        attributes: { 'data-player': player },
      },
      rank,
      element('span', { className: 'player', text: player }),
      element(
        'span',
        { className: 'bar', attributes: { 'aria-hidden': 'true' } },
        element('span', { className: 'fill' }),
      ),
      element(
        'span',
        { className: 'score' },
        score,
        element('span', { className: 'sr-only', text: ' points' }),
      ),
    );
    item.addEventListener('animationend', () => item.classList.remove('entering'), { once: true });
    const row = { item, rank, score };
    this.#rows.set(player, row);
    return row;
  }

  #update(row: Row, entry: LeaderboardEntry, best: number): void {
    row.item.dataset.rank = String(entry.rank);
    row.item.dataset.score = String(entry.score);
    row.rank.textContent = String(entry.rank);
    row.score.textContent = String(entry.score);
    row.item.style.setProperty('--share', String(Math.max(0, entry.score) / best));
  }

  /** Animates every row that moved from where it was measured before the update to where it is now. */
  #play(first: ReadonlyMap<string, number>): void {
    // A move still running would skew where a row is now: stop them all first (a row caught mid-flight was
    // measured mid-flight, so it continues from there).
    for (const move of this.#moves.values()) move.cancel();
    this.#moves.clear();
    for (const [player, row] of this.#rows) {
      const before = first.get(player);
      if (before === undefined) continue;
      const offset = before - row.item.getBoundingClientRect().top;
      if (Math.abs(offset) < 0.5) continue;
      const move = row.item.animate(
        [{ transform: `translateY(${offset}px)` }, { transform: 'translateY(0)' }],
        {
          duration: MOVE_MS,
          easing: MOVE_EASING,
        },
      );
      this.#moves.set(player, move);
      move.addEventListener('finish', () => {
        if (this.#moves.get(player) === move) this.#moves.delete(player);
      });
    }
  }
}
