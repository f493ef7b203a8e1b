/**
 * Test harness for the gateway: an API model builder, a fake `invoke` that records every event, and a `ws`
 * client wrapper that queues messages and reports how the connection ended. Every wait is bounded.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  type GatewayOptions,
  type RunningGateway,
  startGateway,
  type WebSocketEvent,
} from '../../../../local/gateway/index.js';
import type { InvocationLog, InvokeResult, RouteModel, WebSocketApiModel } from '../../../../local/model.js';

/** Default bound for any wait in these tests. */
export const WAIT_MS = 3_000;

/** A fake Lambda: returns a value, or throws to fail the invocation. */
export type FakeHandler = (event: WebSocketEvent) => unknown;

/** Thrown by a fake handler to make the invocation a timeout. */
export class FakeTimeout extends Error {}

/** One invocation the fake `invoke` received. */
export interface RecordedInvocation {
  readonly functionId: string;
  readonly event: unknown;
}

/** A fake `invoke`: handlers by function id, plus every event received, in order. */
export interface FakeLambdas {
  readonly invoke: GatewayOptions['invoke'];
  readonly invocations: RecordedInvocation[];
  /** Events received by one function, typed as the caller expects them (a WebSocket event by default). */
  eventsOf<T = WebSocketEvent>(functionId: string): T[];
}

/** Builds a fake `invoke` over in-process handlers; an unknown function id fails like a missing function. */
export function fakeLambdas(handlers: Readonly<Record<string, FakeHandler>>): FakeLambdas {
  const invocations: RecordedInvocation[] = [];
  return {
    invocations,
    eventsOf: <T>(functionId: string) =>
      invocations.filter((i) => i.functionId === functionId).map((i) => i.event as T),
    invoke: async (functionId, event): Promise<InvokeResult> => {
      invocations.push({ functionId, event });
      const handler = handlers[functionId];
      try {
        if (!handler) throw new Error(`no fake handler for ${functionId}`);
        return { ok: true, value: await handler(event as WebSocketEvent), durationMs: 1 };
      } catch (error) {
        const failure = error as Error;
        if (failure instanceof FakeTimeout) {
          return {
            ok: false,
            kind: 'timeout',
            errorType: 'TimeoutError',
            errorMessage: 'timed out',
            durationMs: 1,
          };
        }
        return {
          ok: false,
          kind: 'error',
          errorType: failure.name,
          errorMessage: failure.message,
          durationMs: 1,
        };
      }
    },
  };
}

/** A WebSocket API model; routes are `routeKey → functionId` unless given in full. */
export function apiModel(
  routes: readonly (RouteModel | string)[],
  overrides: Partial<WebSocketApiModel> = {},
): WebSocketApiModel {
  return {
    logicalId: 'Api',
    apiId: 'abcdef1234',
    name: 'test-api',
    routeSelectionExpression: '$request.body.action',
    stageName: 'prod',
    routes: routes.map((route) =>
      typeof route === 'string' ? { routeKey: route, functionId: `fn-${route}`, twoWay: false } : route,
    ),
    ...overrides,
  };
}

/** A started gateway with its fake Lambdas and invocation log; closed after the test. */
export interface TestGateway {
  readonly gateway: RunningGateway;
  readonly lambdas: FakeLambdas;
  readonly logs: InvocationLog[];
}

const started: RunningGateway[] = [];

/** Closes every gateway started by {@link startTestGateway}; register with `afterEach`. */
export async function closeStartedGateways(): Promise<void> {
  await Promise.all(started.splice(0).map((gateway) => gateway.close()));
}

/** Starts a gateway on a random port with fake Lambdas; close it with {@link closeStartedGateways}. */
export async function startTestGateway(
  api: WebSocketApiModel,
  handlers: Readonly<Record<string, FakeHandler>>,
  options: Partial<Omit<GatewayOptions, 'api' | 'invoke'>> = {},
): Promise<TestGateway> {
  const lambdas = fakeLambdas(handlers);
  const logs: InvocationLog[] = [];
  const gateway = await startGateway({
    api,
    invoke: lambdas.invoke,
    onInvocation: (log) => logs.push(log),
    ...options,
  });
  started.push(gateway);
  return { gateway, lambdas, logs };
}

/** How a client connection ended. */
export interface ClientClose {
  readonly code: number;
  readonly reason: string;
}

/** A `ws` client that queues incoming text messages and records its close. */
export class TestClient {
  readonly messages: string[] = [];
  readonly closed: Promise<ClientClose>;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(data.toString());
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** The next message not yet taken; rejects after `timeoutMs`. */
  async next(timeoutMs = WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages.shift() as string;
  }

  /** The next message parsed as JSON. */
  async nextJson(timeoutMs = WAIT_MS): Promise<unknown> {
    return JSON.parse(await this.next(timeoutMs));
  }

  /** How the connection ended; rejects if it has not ended within `timeoutMs`. */
  closeResult(timeoutMs = WAIT_MS): Promise<ClientClose> {
    return withTimeout(this.closed, timeoutMs, 'connection did not close');
  }
}

/** Opens a client; rejects with the HTTP status (as `Error.message` `status <n>`) when the upgrade is refused. */
export function connect(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    const client = new TestClient(ws);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('connect timed out'));
    }, WAIT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(client);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      clearTimeout(timer);
      res.resume();
      ws.terminate();
      reject(new Error(`status ${res.statusCode}`));
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Opens a client and also returns the 101 response headers. */
export function connectWithResponse(
  url: string,
  protocols: string[] = [],
): Promise<{ client: TestClient; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    let headers: IncomingMessage['headers'] = {};
    ws.once('upgrade', (res: IncomingMessage) => {
      headers = res.headers;
    });
    const client = new TestClient(ws);
    const timer = setTimeout(() => reject(new Error('connect timed out')), WAIT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({ client, headers });
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The HTTP status an upgrade attempt was refused with. */
export async function refusedStatus(url: string, headers?: Record<string, string>): Promise<number> {
  try {
    const client = await connect(url, { headers });
    client.ws.terminate();
  } catch (error) {
    const match = /^status (\d+)$/.exec((error as Error).message);
    if (match) return Number(match[1]);
    throw error;
  }
  throw new Error('the upgrade was accepted');
}

/** Polls `condition` until it holds; rejects after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = WAIT_MS,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise you resolve from outside (e.g. to hold `$connect` open). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
