/**
 * Bootstrap of one Lambda execution environment: the entry of a child process of its own (forked by
 * `execution-environment.ts` with the task root as working directory, the function's environment and Lambda's
 * heap limits), as `/var/runtime/bootstrap` is in AWS. Plain JavaScript on purpose: it runs under plain node,
 * with no TypeScript loader and nothing of the runtime's process.
 *
 * It imports the bundled handler once (the cold start), reports `ready` (or `init-error`), then runs one
 * invocation at a time, like Lambda: each `invoke` message gets exactly one `result` message. An uncaught
 * exception or unhandled rejection fails the invocation in flight and ends the process, as Lambda resets the
 * environment after one. The message shapes are documented in `protocol.ts`; the boot data is `argv[2]`.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

/**
 * The boot data of this environment (`WorkerBootData` in protocol.ts), passed as `argv[2]`.
 *
 * @typedef {object} BootData
 * @property {string} modulePath
 * @property {string[]} exportPath
 * @property {string} functionName
 * @property {string} functionVersion
 * @property {string} memoryLimitInMB
 * @property {string} invokedFunctionArn
 * @property {string} logGroupName
 * @property {string} logStreamName
 */

/** @typedef {{ type: 'invoke', id: number, event: string, awsRequestId: string, deadlineMs: number }} InvokeMessage */

/** @type {BootData} */
const boot = JSON.parse(process.argv[2] ?? '{}');

/**
 * Sends one message to the runtime.
 *
 * @param {object} message
 * @param {() => void} [sent] called once the message has left (or could not be sent)
 */
const send = (message, sent) => {
  if (process.connected && process.send !== undefined) process.send(message, undefined, {}, () => sent?.());
  else sent?.();
};
// The runtime went away: nothing can invoke this environment any more.
process.on('disconnect', () => process.exit(0));

/** Request id of the invocation in progress, stamped on every console line like Lambda's text log format. */
let currentRequestId = 'undefined';

/** Id of the invocation in flight, if any (Lambda runs one at a time per environment). */
let inFlightId;

/**
 * Lambda's Node.js runtime formats console output as `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
 *
 * @param {'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace'} method
 * @param {string} level
 * @param {NodeJS.WriteStream} stream
 */
function patchConsole(method, level, stream) {
  console[method] = (...args) => {
    stream.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}\n`);
  };
}
patchConsole('log', 'INFO', process.stdout);
patchConsole('info', 'INFO', process.stdout);
patchConsole('debug', 'DEBUG', process.stdout);
patchConsole('trace', 'TRACE', process.stdout);
patchConsole('warn', 'WARN', process.stderr);
patchConsole('error', 'ERROR', process.stderr);

/**
 * The `errorType` / `errorMessage` pair Lambda reports for a thrown value.
 *
 * @param {unknown} error
 * @returns {{ errorType: string, errorMessage: string }}
 */
function describeError(error) {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { name, message } = /** @type {{ name?: unknown, message?: unknown }} */ (error);
    return { errorType: typeof name === 'string' && name ? name : 'Error', errorMessage: String(message) };
  }
  return { errorType: typeof error === 'string' ? 'string' : 'Error', errorMessage: String(error) };
}

/**
 * Imports the handler module and walks the export path (`index.handler` → `handler`). Bundles in CommonJS
 * expose their exports on `default` when imported.
 *
 * @returns {Promise<Function>}
 */
async function loadHandler() {
  let mod;
  try {
    mod = await import(pathToFileURL(boot.modulePath).href);
  } catch (error) {
    const { errorType, errorMessage } = describeError(error);
    throw Object.assign(new Error(`${errorType}: ${errorMessage}`), { name: 'Runtime.ImportModuleError' });
  }
  let target = mod;
  for (const key of boot.exportPath) target = target?.[key] ?? target?.default?.[key];
  if (typeof target !== 'function') {
    const name = `${boot.modulePath.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')}.${boot.exportPath.join('.')}`;
    throw Object.assign(new Error(`${name} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return target;
}

/**
 * Calls the handler the ways Lambda allows: an async handler (or one returning a promise) settles with its
 * promise; a handler declaring a third parameter settles through the callback (or `context.done/succeed/fail`);
 * any other synchronous handler settles with its return value.
 *
 * @param {Function} handler
 * @param {unknown} event
 * @param {Record<string, unknown>} context
 * @returns {Promise<unknown>}
 */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {unknown} error @param {unknown} [value] */
    const settle = (error, value) => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject(error);
      else resolve(value);
    };
    Object.assign(context, {
      done: settle,
      succeed: (/** @type {unknown} */ value) => settle(null, value),
      fail: (/** @type {unknown} */ error) => settle(error ?? new Error('handled')),
    });
    let returned;
    try {
      returned = handler(event, context, settle);
    } catch (error) {
      settle(error);
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(
        (/** @type {unknown} */ value) => settle(null, value),
        (/** @type {unknown} */ error) => settle(error ?? new Error('Promise rejected without a reason')),
      );
    } else if (handler.length < 3) {
      settle(null, returned);
    }
  });
}

/**
 * Runs one invocation and posts its result.
 *
 * @param {Function} handler
 * @param {InvokeMessage} message
 */
async function invoke(handler, message) {
  currentRequestId = message.awsRequestId;
  inFlightId = message.id;
  const context = {
    awsRequestId: message.awsRequestId,
    functionName: boot.functionName,
    functionVersion: boot.functionVersion,
    memoryLimitInMB: boot.memoryLimitInMB,
    invokedFunctionArn: boot.invokedFunctionArn,
    logGroupName: boot.logGroupName,
    logStreamName: boot.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
  try {
    const value = await callHandler(handler, JSON.parse(message.event), context);
    const json = value === undefined ? 'null' : JSON.stringify(value);
    send({ type: 'result', id: message.id, ok: true, json: json ?? 'null' });
  } catch (error) {
    send({ type: 'result', id: message.id, ok: false, ...describeError(error) });
  } finally {
    inFlightId = undefined;
  }
}

/**
 * An error thrown outside any handler's promise: Lambda fails the invocation in flight with it, logs it, and
 * discards the environment (the next invocation gets a fresh one).
 *
 * @param {{ errorType: string, errorMessage: string }} error
 * @param {number} exitCode
 */
function failAndExit(error, exitCode) {
  process.stderr.write(
    `${new Date().toISOString()}\t${currentRequestId}\tERROR\t${error.errorType}: ${error.errorMessage}\n`,
  );
  const exit = () => process.exit(exitCode);
  // The result must leave before the process ends.
  if (inFlightId !== undefined)
    send({ type: 'result', id: inFlightId, ok: false, fatal: true, ...error }, exit);
  else exit();
}
process.on('uncaughtException', (error) => failAndExit(describeError(error), 129));
process.on('unhandledRejection', (reason) => {
  const { errorType, errorMessage } = describeError(reason);
  failAndExit(
    { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${errorType}: ${errorMessage}` },
    128,
  );
});

try {
  const handler = await loadHandler();
  process.on('message', (/** @type {InvokeMessage} */ message) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', ...describeError(error) });
}
