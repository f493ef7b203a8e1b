/**
 * Serves the demo page (`web/`) on a port of its own, so the WebSocket API's port stays exactly what API
 * Gateway serves. The page is bundled once at start, in memory, and `config.json` tells it where the local
 * WebSocket API is, as the deployed `DemoSite` does in AWS, and with auth on which token to connect with: one
 * for the user the page names (`config.json?clientId=`), since a connection's client id is its token's user.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SUBJECT_PATTERN } from '../auth/tokens.js';

/** One file of the page. */
export interface DemoFile {
  readonly contentType: string;
  readonly body: string;
}

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The WebSocket URL the page connects to (`config.json`). */
  readonly websocketUrl: string;
  /** The token the page connects with (`config.json`), when the API authenticates. @default none */
  readonly token?: string;
  /**
   * Signs a development token for a user id. When given, `config.json?clientId=<id>` carries a token for the
   * user `<id>` (a valid user id) instead of {@link token}: with auth on a connection's `clientId` is its
   * token's user, so each browser (its own stored client id) is its own user, as two people would be.
   * @default none: every page gets {@link token}
   */
  readonly tokenFor?: (sub: string) => Promise<string>;
  /** The page's files by path. @default the bundled `web/` page */
  readonly files?: ReadonlyMap<string, DemoFile>;
}

/** A running demo server. */
export interface RunningDemoServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * Starts the demo server: `GET /` and the page's files, `GET /config.json[?clientId=]`; anything else 404, any method but
 * GET/HEAD 405.
 *
 * @example
 * const demo = await startDemoServer({ port: 0, websocketUrl: 'ws://127.0.0.1:3001' });
 * console.log(demo.url); // http://127.0.0.1:40123/
 */
export async function startDemoServer(options: DemoServerOptions): Promise<RunningDemoServer> {
  const host = options.host ?? '127.0.0.1';
  // Loaded on demand: bundling pulls in esbuild, which a runtime without the demo page never needs.
  const files = new Map(options.files ?? (await (await import('../../web/build.js')).buildDemo()));
  const configFor = async (clientId: string | null): Promise<DemoFile> => {
    const token =
      options.tokenFor !== undefined && clientId !== null && SUBJECT_PATTERN.test(clientId)
        ? await options.tokenFor(clientId)
        : options.token;
    return {
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ url: options.websocketUrl, ...(token === undefined ? {} : { token }) }),
    };
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const address = new URL(request.url ?? '/', 'http://localhost');
    const path = address.pathname;
    if (path === '/config.json') {
      configFor(address.searchParams.get('clientId')).then(
        (file) => serve(request, response, file),
        () => response.writeHead(500, SECURITY_HEADERS).end(),
      );
      return;
    }
    serve(request, response, files.get(path === '/' ? '/index.html' : path));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.port} on ${host} (the demo page) is already in use: pick another with ` +
                '--demo-port <n> (0 picks a free one), or turn the page off with --no-demo',
              { cause: error },
            )
          : error,
      ),
    );
    server.listen(options.port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with `file` (200), or 404 when there is none. */
function serve(request: IncomingMessage, response: ServerResponse, file: DemoFile | undefined): void {
  if (file === undefined) {
    response
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
      .end('Not found\n');
    return;
  }
  response.writeHead(200, { 'content-type': file.contentType, ...SECURITY_HEADERS });
  response.end(request.method === 'HEAD' ? undefined : file.body);
}
