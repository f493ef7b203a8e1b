/**
 * The "+10" buttons: one per player of the fixed roster plus the user's own player. A click sends a
 * `score` request; its result arrives like everyone else's, as the next leaderboard snapshot, so the
 * buttons keep no score themselves. Failures go to the caller's error handler.
 *
 * @module
 */
import { element } from './dom.js';

/** The points one click adds. */
export const POINTS_PER_CLICK = 10;

/** What {@link renderScoreButtons} needs. */
export interface ScoreButtonsOptions {
  /** The fixed roster; `ownPlayer` is added first when it is not in it. */
  readonly players: readonly string[];
  /** The local user's player, marked "(you)". */
  readonly ownPlayer: string;
  /** Sends the `score` request. */
  readonly onScore: (player: string, points: number) => Promise<unknown>;
  /** Shows why a request failed. */
  readonly onError: (error: unknown) => void;
}

/** Renders one "+10 player" button per player into `list`. */
export function renderScoreButtons(list: HTMLUListElement, options: ScoreButtonsOptions): void {
  const { players, ownPlayer, onScore, onError } = options;
  const roster = players.includes(ownPlayer) ? players : [ownPlayer, ...players];
  for (const player of roster) {
    const button = element(
      'button',
      {
        className: 'score-button',
        attributes: {
          type: 'button',
          title: `Add ${POINTS_PER_CLICK} points to ${player}`,
          'data-player': player,
        },
      },
      element('span', { className: 'points', text: `+${POINTS_PER_CLICK}` }),
      document.createTextNode(' '),
      element('span', { className: 'player', text: player }),
      ...(player === ownPlayer ? [element('span', { className: 'you', text: ' (you)' })] : []),
    );
    button.addEventListener('click', () => {
      onScore(player, POINTS_PER_CLICK).catch(onError);
    });
    list.append(element('li', {}, button));
  }
}
