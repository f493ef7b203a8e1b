/**
 * Rewrites API Gateway URLs of local APIs to the local gateway. A stack hands its functions the stage callback
 * URL (`https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`, what CDK's `stage.callbackUrl` synthesizes
 * to) or the `wss://` URL; offline the same code must reach `http://127.0.0.1:<port>/<stage>` instead, so the SDK
 * client's `endpoint` is the only thing that differs.
 *
 * @module
 */

/** apiId → local port of the gateway serving that API. */
export type ApiPorts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/** Default host the local gateway listens on. */
export const LOCAL_HOST = '127.0.0.1';

const API_URL = /\b(https|wss):\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\b/g;

/** The port serving `apiId`, if any. */
export function portOf(ports: ApiPorts, apiId: string): number | undefined {
  if (ports instanceof Map) return ports.get(apiId);
  return Object.hasOwn(ports, apiId) ? (ports as Readonly<Record<string, number>>)[apiId] : undefined;
}

/**
 * Replaces, anywhere in `value`, the scheme and host of an `https://` / `wss://` execute-api URL of a known
 * local API with `http://<host>:<port>` / `ws://<host>:<port>`; the path (stage, `@connections/…`) is kept.
 * URLs of APIs without a local port are left as they are.
 *
 * @example
 * toLocalUrls('https://abcdefghij.execute-api.us-east-1.amazonaws.com/prod', new Map([['abcdefghij', 3001]]));
 * // → 'http://127.0.0.1:3001/prod'
 */
export function toLocalUrls(value: string, ports: ApiPorts, host: string = LOCAL_HOST): string {
  return value.replace(API_URL, (url: string, scheme: string, apiId: string) => {
    const port = portOf(ports, apiId);
    if (port === undefined) return url;
    return `${scheme === 'https' ? 'http' : 'ws'}://${host}:${port}`;
  });
}
