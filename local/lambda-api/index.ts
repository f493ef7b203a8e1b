/**
 * The Lambda API's `Invoke` and `ListFunctions`, on the runtime's services endpoint, so a backend script (or
 * `npm run publish -- --local`) invokes the template's functions with the real `@aws-sdk/client-lambda`,
 * `endpoint` set to the runtime's services URL, exactly as it would in AWS.
 *
 * What it copies of the contract (Lambda API reference, `Invoke`):
 * - `POST /2015-03-31/functions/{FunctionName}/invocations`, the name given as a name, a full ARN
 *   (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`) or a partial ARN (`<account>:function:<name>`);
 * - `X-Amz-Invocation-Type`: `RequestResponse` (200, the result as JSON), `Event` (202 at once, run in the
 *   background) or `DryRun` (204, nothing runs);
 * - a function that throws or times out: still 200, with `X-Amz-Function-Error: Unhandled` and the error as
 *   `{ errorType, errorMessage, trace }`, not an HTTP error;
 * - an unknown function: 404 `ResourceNotFoundException` (`x-amzn-ErrorType`), and a payload that is not
 *   JSON: 400 `InvalidRequestContentException`.
 * `GET /2015-03-31/functions` lists every function (one page, no `Marker`).
 *
 * @module
 */
import { LOCAL_ACCOUNT_ID } from '../constants.js';
import type { InvokeResult } from '../model.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../services/server.js';

/** One function the API can invoke. */
export interface InvocableFunction {
  /** The deployed name (`FunctionName`, or `<stackName>-<logicalId>`). */
  readonly functionName: string;
  readonly runtime?: string;
  readonly handler?: string;
  readonly timeoutSeconds?: number;
  readonly memoryMB?: number;
  invoke(event: unknown): Promise<InvokeResult>;
}

/** Options of {@link lambdaApiService}. */
export interface LambdaApiOptions {
  /** The functions, looked up on every request (the runtime fills them in once its invokers exist). */
  readonly functions: () => readonly InvocableFunction[];
  /** The region in ARNs. */
  readonly region: string;
  /** Reports an `Event` invocation that failed (nobody waits for it). @default discard */
  readonly onEventError?: (functionName: string, error: string) => void;
}

const API_VERSION_PREFIX = '/2015-03-31/functions';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LIST_PATH = /^\/2015-03-31\/functions\/?$/;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ServiceResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** An error the way the Lambda API (REST-JSON) answers it: the code in `x-amzn-ErrorType`, a `Type` and message. */
const lambdaError = (status: number, code: string, message: string): ServiceResponse =>
  json(status, { Type: 'User', message }, { 'x-amzn-errortype': code });

/**
 * The function name inside what a caller passed as `FunctionName`: a name, a full ARN or a partial ARN, any of
 * them possibly qualified (`:$LATEST`, a version or an alias), which the local runtime ignores.
 */
export const functionNameOf = (given: string): string => {
  const full = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::.+)?$/.exec(given);
  if (full?.[1] !== undefined) return full[1];
  const partial = /^[^:]+:function:([^:]+)(?::.+)?$/.exec(given);
  if (partial?.[1] !== undefined) return partial[1];
  return given.split(':')[0] ?? given;
};

const pathOf = (url: string): string => url.split('?')[0] ?? url;

const headerOf = (request: ServiceRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The Lambda API as a {@link ServiceHandler} of the services endpoint.
 *
 * @example
 * services.register(lambdaApiService({ functions: () => functions, region: 'us-east-1' }));
 * // then: new LambdaClient({ endpoint: services.endpoint, region: 'us-east-1', credentials })
 */
export function lambdaApiService(options: LambdaApiOptions): ServiceHandler {
  const arnOf = (name: string): string =>
    `arn:aws:lambda:${options.region}:${LOCAL_ACCOUNT_ID}:function:${name}`;

  const list = (): ServiceResponse =>
    json(200, {
      Functions: options.functions().map((fn) => ({
        FunctionName: fn.functionName,
        FunctionArn: arnOf(fn.functionName),
        ...(fn.runtime === undefined ? {} : { Runtime: fn.runtime }),
        ...(fn.handler === undefined ? {} : { Handler: fn.handler }),
        ...(fn.timeoutSeconds === undefined ? {} : { Timeout: fn.timeoutSeconds }),
        ...(fn.memoryMB === undefined ? {} : { MemorySize: fn.memoryMB }),
        Version: '$LATEST',
      })),
    });

  const invoke = async (request: ServiceRequest, encodedName: string): Promise<ServiceResponse> => {
    const name = functionNameOf(decodeURIComponent(encodedName));
    const fn = options.functions().find((candidate) => candidate.functionName === name);
    if (fn === undefined) {
      return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${arnOf(name)}`);
    }
    const type = headerOf(request, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      return lambdaError(
        400,
        'InvalidParameterValueException',
        `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got ${type}`,
      );
    }
    let event: unknown;
    const text = request.body.toString('utf8');
    try {
      event = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const executed = { 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') return { status: 204, headers: executed };
    if (type === 'Event') {
      fn.invoke(event).then(
        (result) => {
          if (!result.ok)
            options.onEventError?.(fn.functionName, `${result.errorType}: ${result.errorMessage}`);
        },
        (error: unknown) => options.onEventError?.(fn.functionName, String(error)),
      );
      return { status: 202, headers: executed };
    }
    const result = await fn.invoke(event);
    if (!result.ok) {
      return json(
        200,
        { errorType: result.errorType, errorMessage: result.errorMessage, trace: [] },
        { ...executed, 'x-amz-function-error': 'Unhandled' },
      );
    }
    // A handler that returns nothing answers `null`, as Lambda does.
    return json(200, result.value ?? null, executed);
  };

  return {
    name: 'Lambda',
    matches: (request) => pathOf(request.url).startsWith(API_VERSION_PREFIX),
    handle: async (request) => {
      const path = pathOf(request.url);
      const invocation = INVOKE_PATH.exec(path);
      if (request.method === 'POST' && invocation?.[1] !== undefined) return invoke(request, invocation[1]);
      if (request.method === 'GET' && LIST_PATH.test(path)) return list();
      return lambdaError(
        400,
        'UnknownOperationException',
        `the local Lambda API emulates Invoke and ListFunctions only, not ${request.method} ${path}`,
      );
    },
  };
}
