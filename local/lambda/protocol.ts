/**
 * Messages between the runtime (host) and a function's execution environment (`bootstrap.mjs`, which documents the same
 * shapes in JSDoc). Events and results cross as JSON text, as they do between Lambda and its runtime: a
 * handler's result is what `JSON.stringify` makes of it.
 *
 * @module
 */

/** What a worker needs to load the handler and build the Lambda `context` (passed as `workerData`). */
export interface WorkerBootData {
  /** Absolute path of the handler module file. */
  readonly modulePath: string;
  /** Export path of the handler inside the module, e.g. `['handler']` for `index.handler`. */
  readonly exportPath: readonly string[];
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** Host → worker: run one invocation. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  /** The event as JSON text. */
  readonly event: string;
  readonly awsRequestId: string;
  /** Epoch milliseconds at which the invocation times out (`getRemainingTimeInMillis` counts down to it). */
  readonly deadlineMs: number;
}

/** Worker → host: the module loaded and the handler was found. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Worker → host: the module could not be loaded or exports no such handler. */
export interface InitErrorMessage {
  readonly type: 'init-error';
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Worker → host: the outcome of one invocation. */
export type ResultMessage =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly json: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      /** The environment is ending (an uncaught error): it must take no further invocation. */
      readonly fatal?: true;
    };

/** Any message a worker sends. */
export type WorkerMessage = ReadyMessage | InitErrorMessage | ResultMessage;
