/**
 * The gateway's public options and handle, and the one place their defaults are applied and checked.
 *
 * @module
 */
import type { InvocationLog, WebSocketApiModel } from '../model.js';
import {
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTION_MS,
  DEFAULT_REGION,
} from './constants.js';
import type { InvokeFunction } from './invocation.js';
import type { ManagementFault } from './management-api.js';

/** How to run one WebSocket API locally. */
export interface GatewayOptions {
  /** The API to serve: its stage, routes, authorizer and route selection expression. */
  readonly api: WebSocketApiModel;
  /** Runs a route's function (the runtime's Lambda pool, or a fake in tests). */
  readonly invoke: InvokeFunction;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a random free port) */
  readonly port?: number;
  /** Region in `methodArn`. @default 'us-east-1' */
  readonly region?: string;
  /** Close a connection after this long without a client message. @default 600_000 (API Gateway: 10 min) */
  readonly idleTimeoutMs?: number;
  /** Close every connection this long after it opened. @default 7_200_000 (API Gateway: 2 h) */
  readonly maxConnectionMs?: number;
  /** Called once per Lambda invocation (route, `$connect`, authorizer, `$disconnect`). */
  readonly onInvocation?: (log: InvocationLog) => void;
  /** Fails chosen `@connections` requests with a 429 or 5xx, to rehearse faults. @default serve every request */
  readonly managementFault?: ManagementFault;
}

/** A started gateway. */
export interface RunningGateway {
  readonly port: number;
  /** `ws://127.0.0.1:<port>`: clients connect here (or to `<url>/<stage>`). */
  readonly url: string;
  /** `http://127.0.0.1:<port>/<stage>`: the Management API endpoint, i.e. what `CALLBACK_URL` is set to. */
  readonly managementUrl: string;
  /** Open connections (accepted by `$connect` and not yet closed). */
  connectionCount(): number;
  /** Closes every socket with 1001 'Going away', awaits each `$disconnect`, then stops the server. */
  close(): Promise<void>;
}

/** Options with every default applied. */
export type ResolvedGatewayOptions = Required<Omit<GatewayOptions, 'onInvocation' | 'managementFault'>> &
  Pick<GatewayOptions, 'onInvocation' | 'managementFault'>;

/** Applies defaults and rejects values that cannot work, naming the option and the value. */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const resolved: ResolvedGatewayOptions = {
    host: DEFAULT_HOST,
    port: 0,
    region: DEFAULT_REGION,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    maxConnectionMs: DEFAULT_MAX_CONNECTION_MS,
    ...definedOnly(options),
    api: options.api,
    invoke: options.invoke,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
    throw new TypeError(`port must be an integer from 0 to 65535, got ${resolved.port}`);
  }
  for (const key of ['idleTimeoutMs', 'maxConnectionMs'] as const) {
    const value = resolved[key];
    // setTimeout fires at once for anything above 2^31-1 ms.
    if (!Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
      throw new TypeError(`${key} must be a positive number of milliseconds up to 2147483647, got ${value}`);
    }
  }
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
