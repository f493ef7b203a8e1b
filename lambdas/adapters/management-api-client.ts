/**
 * A lean client for the one Management API call a fan-out makes, `POST /@connections/{id}`: SigV4-signed by
 * `aws4` and sent over a keep-alive agent from `node:http`/`node:https`.
 *
 * Why not `@aws-sdk/client-apigatewaymanagementapi`: a fan-out makes one such call per recipient, and the
 * SDK's middleware stack costs about 5× the CPU of the request itself (`npm run bench:post` measures both).
 * On a Lambda that is billed duration and fan-out latency; in the offline runtime it is the delivery rate.
 * The wire format is the SDK's: same path, same signature (a unit test checks it against the SDK's own
 * signer), same error names taken from `x-amzn-ErrorType`.
 *
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import aws4 from 'aws4';

/** AWS credentials as Lambda provides them in its environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** How a {@link ManagementApiClient} reaches and signs for one stage's Management API. */
export interface ManagementApiClientOptions {
  /** The stage's callback URL: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`. */
  readonly endpoint: string;
  /** Region the signature is scoped to. */
  readonly region: string;
  /** Called for every request, so rotated credentials are picked up. */
  readonly credentials: () => AwsCredentials;
  /** The clock signatures are dated by. @default Date.now */
  readonly now?: () => number;
  /** Sockets kept open to the endpoint at most; further requests queue in the agent. */
  readonly maxSockets: number;
  /**
   * A request whose socket sees no activity for this many ms (connecting, sending, or waiting for the answer)
   * fails with a `TimeoutError`. Time spent queued for a free socket does not count.
   */
  readonly requestTimeoutMs: number;
}

/**
 * A non-2xx answer of the Management API. `name` is the service's error type (`GoneException`,
 * `LimitExceededException`, `PayloadTooLargeException`, `ForbiddenException`, …) as the SDK would name it.
 */
export class ManagementApiError extends Error {
  override readonly name: string;
  readonly statusCode: number;

  constructor(name: string, statusCode: number, message: string) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

/** Raised when a request's socket stays silent for `requestTimeoutMs`; `name` matches the SDK's. */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** What the messenger needs of a Management API client. */
export interface ConnectionPoster {
  postToConnection(connectionId: string, data: string): Promise<void>;
}

const ERROR_BODY_LIMIT = 4_096;

/**
 * `X-Amz-Date` (`20261126T101500Z`) for the current second. A fan-out signs hundreds of requests a second, and
 * formatting the date was a visible share of signing; the value only changes once a second.
 */
const amzDateClock = (now: () => number = Date.now): (() => string) => {
  let second = Number.NaN;
  let formatted = '';
  return () => {
    const current = Math.floor(now() / 1_000);
    if (current !== second) {
      second = current;
      formatted = new Date(current * 1_000).toISOString().replace(/[:-]|\.\d{3}/g, '');
    }
    return formatted;
  };
};

/** `x-amzn-ErrorType: GoneException:http://internal.amazon.com/…` → `GoneException`. */
const errorType = (response: IncomingMessage): string => {
  const header = response.headers['x-amzn-errortype'];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(':')[0] || `Http${response.statusCode ?? 0}Error`;
};

const errorMessage = (body: string, fallback: string): string => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const { message, Message } = parsed as { message?: unknown; Message?: unknown };
      const text = message ?? Message;
      if (typeof text === 'string' && text !== '') {
        return text;
      }
    }
  } catch {
    // Not JSON: fall through to the raw body or the error type.
  }
  return body.trim() === '' ? fallback : body.slice(0, ERROR_BODY_LIMIT);
};

/**
 * Posts data to WebSocket connections through one stage's Management API.
 *
 * @example
 * const client = new ManagementApiClient({
 *   endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
 *   region: 'eu-west-1',
 *   credentials: credentialsFromEnv,
 *   maxSockets: 32,
 *   requestTimeoutMs: 5_000,
 * });
 * await client.postToConnection('L0SM9cOFvHcCIhw=', '{"type":"pong"}');
 */
export class ManagementApiClient implements ConnectionPoster {
  readonly #options: ManagementApiClientOptions;
  readonly #url: URL;
  readonly #basePath: string;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #amzDate: () => string;

  constructor(options: ManagementApiClientOptions) {
    this.#options = options;
    this.#url = new URL(options.endpoint);
    if (this.#url.protocol !== 'https:' && this.#url.protocol !== 'http:') {
      throw new TypeError(`Management API endpoint must be an http(s) URL, got ${options.endpoint}`);
    }
    this.#basePath = this.#url.pathname.replace(/\/+$/, '');
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' } as const;
    const secure = this.#url.protocol === 'https:';
    this.#agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.#request = secure ? httpsRequest : httpRequest;
    this.#amzDate = amzDateClock(options.now);
  }

  /**
   * `POST /@connections/{connectionId}` with `data` as the frame.
   *
   * @throws {ManagementApiError} for any non-2xx answer (410 `GoneException` for a closed connection).
   * @throws {RequestTimeoutError} when the socket stayed silent for `requestTimeoutMs`.
   * @throws the socket's own error (`ECONNRESET`, `ECONNREFUSED`, …) when the request never got an answer.
   */
  postToConnection(connectionId: string, data: string): Promise<void> {
    const signed = aws4.sign(
      {
        service: 'execute-api',
        region: this.#options.region,
        method: 'POST',
        hostname: this.#url.hostname,
        ...(this.#url.port === '' ? {} : { port: Number(this.#url.port) }),
        path: `${this.#basePath}/@connections/${encodeURIComponent(connectionId)}`,
        headers: { 'Content-Type': 'application/octet-stream', 'X-Amz-Date': this.#amzDate() },
        body: data,
      },
      this.#options.credentials(),
    );
    return new Promise((resolve, reject) => {
      const request = this.#request(
        {
          agent: this.#agent,
          hostname: this.#url.hostname,
          port: this.#url.port,
          method: 'POST',
          path: signed.path,
          headers: signed.headers,
          timeout: this.#options.requestTimeoutMs,
        },
        (response) => {
          response.on('error', reject);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            response.resume();
            response.on('end', resolve);
            return;
          }
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (body.length < ERROR_BODY_LIMIT) {
              body += chunk;
            }
          });
          response.on('end', () => {
            const name = errorType(response);
            reject(new ManagementApiError(name, status, errorMessage(body, name)));
          });
        },
      );
      request.on('timeout', () => {
        request.destroy(
          new RequestTimeoutError(
            `POST @connections/${connectionId} saw no activity for ${this.#options.requestTimeoutMs} ms`,
          ),
        );
      });
      request.on('error', reject);
      request.end(data);
    });
  }

  /** Closes the kept-alive sockets. */
  destroy(): void {
    this.#agent.destroy();
  }
}
