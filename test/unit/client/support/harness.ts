/**
 * Builds every client of the client tests the same way: a {@link FakeNetwork} (and optionally a
 * {@link ScriptedServer}) behind it, `random` fixed at 0.5 unless given, and the events recorded.
 */
import { vi } from 'vitest';
import {
  type ClientOptions,
  type ConnectionState,
  connect,
  type RealtimeClient,
  type RealtimeError,
  type StateInfo,
} from '../../../../client/index.js';
import { FakeNetwork } from './fake-websocket.js';
import { ScriptedServer, type ScriptedServerOptions } from './scripted-server.js';

/** The URL every test client connects to. */
export const TEST_URL = 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod';

/** A client with its fake network and what it emitted. */
export interface Harness {
  readonly network: FakeNetwork;
  readonly client: RealtimeClient;
  readonly states: ConnectionState[];
  readonly stateInfo: StateInfo[];
  readonly errors: RealtimeError[];
  readonly raw: unknown[];
}

const live: RealtimeClient[] = [];

/** Creates a client on a fresh fake network; `server` attaches a scripted server first. */
export const createClient = (
  options: ClientOptions = {},
  server?: ScriptedServerOptions,
): Harness & { server: ScriptedServer | undefined } => {
  const network = new FakeNetwork();
  const scripted = server === undefined ? undefined : new ScriptedServer(network, server);
  const client = connect(TEST_URL, { WebSocket: network.WebSocket, random: () => 0.5, ...options });
  live.push(client);
  const harness = {
    network,
    client,
    server: scripted,
    states: [],
    stateInfo: [],
    errors: [],
    raw: [],
  } as Harness & {
    server: ScriptedServer | undefined;
    states: ConnectionState[];
    stateInfo: StateInfo[];
    errors: RealtimeError[];
    raw: unknown[];
  };
  client.on('state', (state, info) => {
    harness.states.push(state);
    harness.stateInfo.push(info);
  });
  client.on('error', (error) => harness.errors.push(error));
  client.on('raw', (data) => harness.raw.push(data));
  return harness;
};

/** Creates a client with a scripted server and opens its first socket (the server opens later ones). */
export const createServedClient = async (
  options: ClientOptions = {},
  server: ScriptedServerOptions = {},
): Promise<Harness & { server: ScriptedServer }> => {
  const harness = createClient(options, server);
  if (server.openAfterMs === undefined) {
    harness.network.latest.open();
  }
  await vi.advanceTimersByTimeAsync(server.openAfterMs ?? 0);
  return harness as Harness & { server: ScriptedServer };
};

/** Runs due 0 ms timers and the promise callbacks they cause. */
export const flush = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

/** Closes every client created since the last call (afterEach). */
export const closeClients = (): void => {
  for (const client of live.splice(0)) {
    client.close();
  }
};

/** How a promise ended; attach it at once so a rejection never counts as unhandled. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** Records how `promise` ends; await the result after acting. */
export const outcome = <T>(promise: Promise<T>): Promise<Outcome<T>> =>
  promise.then(
    (value) => ({ ok: true, value }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );

/** The code of the error a promise rejected with (fails when it resolved). */
export const rejectionCode = async (promise: Promise<unknown>): Promise<string> => {
  const result = await outcome(promise);
  if (result.ok) {
    throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  }
  return (result.error as { code: string }).code;
};
