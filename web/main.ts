/**
 * The demo page's entry point: resolves the settings, connects with the client library, subscribes once to
 * channel `game-1` (its chat messages with history, the leaderboard snapshots of board `game-1`, and its
 * presence) and wires the views to it. Every failure is shown in the status line; nothing here throws.
 *
 * @module
 */
import { connect, type RealtimeClient } from '../client/index.js';
import { ChatView } from './chat-view.js';
import { CHANNEL, type KeyValueStore, ROSTER, resolveSettings } from './config.js';
import { ConnectionIndicator, StatusLine } from './connection-indicator.js';
import { byId } from './dom.js';
import { LeaderboardView } from './leaderboard-view.js';
import { PresenceListView } from './presence-view.js';
import { renderScoreButtons } from './score-buttons.js';

/** `localStorage`, or undefined where reading the property itself throws (storage blocked). */
function browserStorage(): KeyValueStore | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

async function start(status: StatusLine): Promise<void> {
  const indicator = new ConnectionIndicator(byId('connection', HTMLElement));
  indicator.show('connecting');
  let client: RealtimeClient;
  let settings: Awaited<ReturnType<typeof resolveSettings>>;
  try {
    settings = await resolveSettings({
      pageUrl: window.location.href,
      storage: browserStorage(),
      fetch: (url, init) => window.fetch(url, init),
    });
    client = connect(settings.url, {
      // With a token the server takes the client id from it; without, the page's own stable one.
      ...(settings.token === undefined ? { clientId: settings.clientId } : { token: settings.token }),
      name: settings.name,
    });
  } catch (error) {
    indicator.show('closed');
    document.body.dataset.connection = 'closed';
    status.error(error);
    return;
  }
  byId('me', HTMLElement).textContent = settings.name;
  byId('server', HTMLElement).textContent = settings.url;

  client.on('state', (state, info) => {
    indicator.show(state, info);
    document.body.dataset.connection = state;
  });
  client.on('error', (error) => status.error(error));
  const showError = (error: unknown): void => status.error(error);
  window.addEventListener('pagehide', () => client.close());
  // Closed on pagehide, so a page restored from the back/forward cache starts over instead of staying offline.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) window.location.reload();
  });

  const leaderboard = new LeaderboardView(
    byId('leaderboard', HTMLOListElement),
    byId('leaderboard-empty', HTMLElement),
    settings.player,
  );
  renderScoreButtons(byId('score-buttons', HTMLUListElement), {
    players: ROSTER,
    ownPlayer: settings.player,
    onScore: (player, points) => client.score(CHANNEL, player, points),
    onError: showError,
  });
  const chat = new ChatView(
    byId('messages', HTMLOListElement),
    byId('chat-form', HTMLFormElement),
    byId('chat-input', HTMLInputElement),
    { ownClientId: settings.clientId, onSend: (data) => client.publish(CHANNEL, data), onError: showError },
  );
  const online = new PresenceListView(
    byId('online', HTMLUListElement),
    byId('online-count', HTMLElement),
    settings.clientId,
  );

  const subscription = await client.subscribe(CHANNEL, {
    history: true,
    presence: true,
    onMessage: (message) => chat.append(message),
    onLeaderboard: (snapshot) => leaderboard.render(snapshot),
    onReset: (info) =>
      chat.reset(
        info.reason === 'history-expired'
          ? 'More was said while you were away than the server keeps; showing what it kept.'
          : 'The channel started over.',
      ),
    onError: showError,
  });
  await subscription.trackPresence((members) => online.render(members));
  document.body.dataset.ready = 'true';
}

const status = new StatusLine(byId('status', HTMLElement));
window.addEventListener('error', (event) => status.error(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => status.error(event.reason));
start(status).catch((error: unknown) => status.error(error));
