/**
 * One loopback HTTP endpoint for the AWS services the runtime emulates besides DynamoDB and the Management API
 * (SQS, Secrets Manager, the Lambda Invoke API, …). Each service plugs in a {@link ServiceHandler}; functions
 * reach the endpoint through `AWS_ENDPOINT_URL_<SERVICE>`, and scripts through the same variables.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The largest request body accepted (SQS and Lambda allow 256 KB / 6 MB payloads; 8 MiB covers both). */
export const MAX_SERVICE_REQUEST_BYTES = 8 * 1024 * 1024;

/** One request, its body read. */
export interface ServiceRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** One reply. */
export interface ServiceResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** An emulated service: says whether a request is its own, then answers it. */
export interface ServiceHandler {
  /** For logs and the unknown-request reply. */
  readonly name: string;
  /** True when the request belongs to this service (by `X-Amz-Target`, path, …). */
  matches(request: ServiceRequest): boolean;
  handle(request: ServiceRequest): Promise<ServiceResponse>;
}

/** A started endpoint. */
export interface RunningServices {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Adds a service; requests are offered to services in the order they were added. */
  register(handler: ServiceHandler): void;
  close(): Promise<void>;
}

const json = (status: number, body: unknown): ServiceResponse => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify(body),
});

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_SERVICE_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function answer(
  handlers: readonly ServiceHandler[],
  incoming: IncomingMessage,
  onError: (error: unknown) => void,
): Promise<ServiceResponse> {
  const body = await readBody(incoming);
  if (body === undefined) {
    return json(413, { __type: 'RequestEntityTooLarge', message: 'request body too large' });
  }
  const request: ServiceRequest = {
    method: incoming.method ?? 'GET',
    url: incoming.url ?? '/',
    headers: incoming.headers,
    body,
  };
  const handler = handlers.find((h) => h.matches(request));
  if (handler === undefined) {
    const target = request.headers['x-amz-target'] ?? `${request.method} ${request.url}`;
    return json(400, {
      __type: 'UnknownOperationException',
      message: `the local runtime does not emulate ${String(target)} (emulated: ${handlers.map((h) => h.name).join(', ') || 'none'})`,
    });
  }
  try {
    return await handler.handle(request);
  } catch (error) {
    onError(error);
    return json(500, {
      __type: 'InternalFailure',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Starts the endpoint on `host:port` (0: a free port).
 *
 * @example
 * const services = await startServices({ host: '127.0.0.1', port: 0 });
 * services.register(sqsService(queues));
 */
export async function startServices(options: {
  readonly host: string;
  readonly port?: number;
  readonly onError?: (error: unknown) => void;
}): Promise<RunningServices> {
  const handlers: ServiceHandler[] = [];
  const onError = options.onError ?? (() => {});
  const send = (res: ServerResponse, reply: ServiceResponse): void => {
    res.writeHead(reply.status, { ...reply.headers });
    res.end(reply.body);
  };
  const server = createServer((req, res) => {
    answer(handlers, req, onError).then(
      (reply) => send(res, reply),
      (error: unknown) => {
        onError(error);
        send(res, json(500, { __type: 'InternalFailure', message: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host}:${port}`,
    register: (handler) => {
      handlers.push(handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
