// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings use ${…} on purpose
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaInvoker, type LocalLambdaInvoker } from '../../../local/lambda/index.js';
import type { FunctionModel, InvokeResult, StackModel } from '../../../local/model.js';

/** Tiny handlers, written to a temp dir at test time: plain ES modules (and one CommonJS file). */
const HANDLERS: Record<string, string> = {
  'counter.mjs': `
    let count = 0;
    export const handler = async () => ({ count: ++count, pid: process.pid });`,
  'env.mjs': `
    export const handler = async (event) =>
      Object.fromEntries(event.names.map((name) => [name, process.env[name] ?? null]));`,
  'sleep.mjs': `
    import { setTimeout as sleep } from 'node:timers/promises';
    const now = () => performance.timeOrigin + performance.now();
    export const handler = async (event) => {
      const start = now();
      await sleep(event.ms);
      return { start, end: now(), pid: process.pid };
    };`,
  'throws.mjs': `
    class ValidationError extends Error { name = 'ValidationError'; }
    export const handler = async (event) => {
      if (event.sync) throw new ValidationError('bad input (sync)');
      await Promise.resolve();
      throw new ValidationError('bad input');
    };`,
  'crash.mjs': `
    export const handler = async (event) => {
      if (event.exit) process.exit(3);
      if (event.uncaught) {
        setTimeout(() => { throw new RangeError('thrown outside the handler'); }, 1);
        await new Promise(() => {});
      }
      if (event.rejection) {
        Promise.reject(new TypeError('nobody awaited this'));
        await new Promise(() => {});
      }
      return { pid: process.pid };
    };`,
  'context.mjs': `
    import { setTimeout as sleep } from 'node:timers/promises';
    export const handler = async (event, context) => {
      const first = context.getRemainingTimeInMillis();
      await sleep(60);
      const second = context.getRemainingTimeInMillis();
      const { getRemainingTimeInMillis, done, succeed, fail, ...fields } = context;
      return { first, second, fields };
    };`,
  'logs.mjs': `
    export const handler = async (event) => {
      console.log('hello from', event.name);
      console.error('oops', 42);
      return 'logged';
    };`,
  'hang.mjs': `
    export const handler = () => {
      console.log('started');
      return new Promise(() => {});
    };`,
  'nothing.mjs': `export const handler = async () => undefined;`,
  'callback.cjs': `
    exports.handler = (event, context, callback) => {
      setTimeout(() => callback(null, { via: 'callback', echo: event.value }), 5);
    };`,
  'broken.mjs': `throw new Error('module failed to load');`,
};

let codeDir: string;

const fnModel = (logicalId: string, handler: string, extra: Partial<FunctionModel> = {}): FunctionModel => ({
  logicalId,
  functionName: `Test-${logicalId}`,
  codeDir,
  handler,
  runtime: 'nodejs22.x',
  timeoutSeconds: 3,
  memoryMB: 128,
  environment: {},
  ...extra,
});

const stackOf = (...functions: FunctionModel[]): StackModel => ({
  stackName: 'Test',
  apis: [],
  functions: new Map(functions.map((fn) => [fn.logicalId, fn])),
  tables: [],
  resources: {},
});

const invokers: LocalLambdaInvoker[] = [];
const invokerFor = (...functions: FunctionModel[]): LocalLambdaInvoker => {
  const invoker = createLambdaInvoker(stackOf(...functions));
  invokers.push(invoker);
  return invoker;
};

/** The value of a successful result (fails the test otherwise). */
function okValue<T>(result: InvokeResult): T {
  if (!result.ok) throw new Error(`invocation failed: ${result.errorType}: ${result.errorMessage}`);
  return result.value as T;
}

beforeAll(async () => {
  codeDir = await mkdtemp(join(tmpdir(), 'lambda-pool-'));
  await Promise.all(Object.entries(HANDLERS).map(([file, code]) => writeFile(join(codeDir, file), code)));
});

afterEach(async () => {
  await Promise.all(invokers.splice(0).map((invoker) => invoker.close()));
});

afterAll(async () => {
  await rm(codeDir, { recursive: true, force: true });
});

describe('createLambdaInvoker', () => {
  describe('warm workers', () => {
    it('keeps module state between invocations of a warm worker', async () => {
      const lambdas = invokerFor(fnModel('Counter', 'counter.handler'));
      const first = okValue<{ count: number; pid: number }>(await lambdas.invoke('Counter', {}));
      const second = okValue<{ count: number; pid: number }>(await lambdas.invoke('Counter', {}));
      expect(first.count).toBe(1);
      expect(second).toEqual({ count: 2, pid: first.pid });
    });

    it('creates no worker before the first invocation', async () => {
      const lambdas = invokerFor(fnModel('Counter', 'counter.handler'));
      expect(lambdas.stats()).toEqual({});
      await lambdas.invoke('Counter', {});
      expect(lambdas.stats()).toEqual({ Counter: { workers: 1, busy: 0, queued: 0 } });
    });

    it('returns null when the handler returns nothing, like Lambda', async () => {
      const lambdas = invokerFor(fnModel('Nothing', 'nothing.handler'));
      expect(await lambdas.invoke('Nothing', {})).toMatchObject({ ok: true, value: null });
    });

    it('supports callback-style CommonJS handlers', async () => {
      const lambdas = invokerFor(fnModel('Callback', 'callback.handler'));
      expect(okValue(await lambdas.invoke('Callback', { value: 7 }))).toEqual({ via: 'callback', echo: 7 });
    });
  });

  describe('environment', () => {
    const names = [
      'WHO',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      'TZ',
      'EXTRA',
      'H3A_HOST_ONLY',
    ];

    it('gives each function its own resolved environment plus the variables Lambda sets', async () => {
      process.env.H3A_HOST_ONLY = 'leaked';
      const lambdas = createLambdaInvoker(
        stackOf(
          fnModel('Alice', 'env.handler', { environment: { WHO: 'alice' }, memoryMB: 512 }),
          fnModel('Bob', 'env.handler', { environment: { WHO: { 'Fn::Sub': 'bob-${AWS::Region}' } } }),
        ),
        { region: 'eu-west-1', dynamoDbEndpoint: 'http://127.0.0.1:8000', env: { EXTRA: 'yes' } },
      );
      invokers.push(lambdas);
      const alice = okValue<Record<string, string | null>>(await lambdas.invoke('Alice', { names }));
      const bob = okValue<Record<string, string | null>>(await lambdas.invoke('Bob', { names }));
      expect(alice).toMatchObject({
        WHO: 'alice',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_LAMBDA_FUNCTION_NAME: 'Test-Alice',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TZ: ':UTC',
        EXTRA: 'yes',
        H3A_HOST_ONLY: null,
      });
      expect(alice.AWS_ACCESS_KEY_ID).toEqual(expect.any(String));
      expect(alice.AWS_SECRET_ACCESS_KEY).toEqual(expect.any(String));
      expect(bob).toMatchObject({ WHO: 'bob-eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'Test-Bob' });
    });

    it('fails the invocation, naming the variable, when the environment cannot be resolved', async () => {
      const lambdas = invokerFor(
        fnModel('Broken', 'env.handler', { environment: { T: { 'Fn::ImportValue': 'x' } } }),
      );
      expect(await lambdas.invoke('Broken', { names })).toMatchObject({
        ok: false,
        kind: 'error',
        errorType: 'ResolveError',
        errorMessage: expect.stringContaining('environment variable T of Broken'),
      });
    });
  });

  describe('concurrency', () => {
    it('runs at most reservedConcurrency invocations at once and queues the rest', async () => {
      const lambdas = invokerFor(fnModel('Sleep', 'sleep.handler', { reservedConcurrency: 2 }));
      const pending = Array.from({ length: 6 }, () => lambdas.invoke('Sleep', { ms: 80 }));
      expect(lambdas.stats().Sleep).toEqual({ workers: 2, busy: 2, queued: 4 });
      const runs = (await Promise.all(pending)).map((result) =>
        okValue<{ start: number; end: number; pid: number }>(result),
      );
      const edges = runs.flatMap((run) => [
        { at: run.start, delta: 1 },
        { at: run.end, delta: -1 },
      ]);
      edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
      let running = 0;
      let maxRunning = 0;
      for (const edge of edges) {
        running += edge.delta;
        maxRunning = Math.max(maxRunning, running);
      }
      expect(maxRunning).toBeLessThanOrEqual(2);
      expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
    });

    it('bounds a function without reserved concurrency by defaultConcurrency', async () => {
      const lambdas = createLambdaInvoker(stackOf(fnModel('Sleep', 'sleep.handler')), {
        defaultConcurrency: 3,
      });
      invokers.push(lambdas);
      const pending = Array.from({ length: 5 }, () => lambdas.invoke('Sleep', { ms: 20 }));
      expect(lambdas.stats().Sleep).toEqual({ workers: 3, busy: 3, queued: 2 });
      expect((await Promise.all(pending)).every((result) => result.ok)).toBe(true);
    });
    it('caps a reserved concurrency above defaultConcurrency at defaultConcurrency', async () => {
      const lambdas = createLambdaInvoker(
        stackOf(fnModel('Sleep', 'sleep.handler', { reservedConcurrency: 50 })),
        {
          defaultConcurrency: 2,
        },
      );
      invokers.push(lambdas);
      const pending = Array.from({ length: 4 }, () => lambdas.invoke('Sleep', { ms: 20 }));
      expect(lambdas.stats().Sleep).toEqual({ workers: 2, busy: 2, queued: 2 });
      expect((await Promise.all(pending)).every((result) => result.ok)).toBe(true);
    });

    it('runs one worker per core (at least 2) by default', async () => {
      const lambdas = createLambdaInvoker(stackOf(fnModel('Sleep', 'sleep.handler')), {});
      invokers.push(lambdas);
      const bound = Math.max(2, availableParallelism());
      const pending = Array.from({ length: bound + 1 }, () => lambdas.invoke('Sleep', { ms: 20 }));
      expect(lambdas.stats().Sleep).toEqual({ workers: bound, busy: bound, queued: 1 });
      expect((await Promise.all(pending)).every((result) => result.ok)).toBe(true);
    });
  });

  describe('timeouts', () => {
    it('reports a timeout past timeoutSeconds, then serves the next invocation on a new worker', async () => {
      const lambdas = invokerFor(fnModel('Sleep', 'sleep.handler', { timeoutSeconds: 0.25 }));
      const warm = okValue<{ pid: number }>(await lambdas.invoke('Sleep', { ms: 0 }));
      const timedOut = await lambdas.invoke('Sleep', { ms: 10_000 });
      expect(timedOut).toMatchObject({
        ok: false,
        kind: 'timeout',
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 0.25 seconds',
      });
      const next = okValue<{ pid: number }>(await lambdas.invoke('Sleep', { ms: 0 }));
      expect(next.pid).not.toBe(warm.pid);
    });
  });

  describe('errors', () => {
    it('reports a rejected promise and a synchronous throw with the error name and message', async () => {
      const lambdas = invokerFor(fnModel('Throws', 'throws.handler'));
      expect(await lambdas.invoke('Throws', {})).toMatchObject({
        ok: false,
        kind: 'error',
        errorType: 'ValidationError',
        errorMessage: 'bad input',
      });
      expect(await lambdas.invoke('Throws', { sync: true })).toMatchObject({
        errorType: 'ValidationError',
        errorMessage: 'bad input (sync)',
      });
      expect(lambdas.stats().Throws?.workers).toBe(1);
    });

    it('reports process.exit as an error and replaces the worker', async () => {
      const lambdas = invokerFor(fnModel('Crash', 'crash.handler'));
      const before = okValue<{ pid: number }>(await lambdas.invoke('Crash', {}));
      expect(await lambdas.invoke('Crash', { exit: true })).toMatchObject({
        ok: false,
        kind: 'error',
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited with error: exit status 3',
      });
      const after = okValue<{ pid: number }>(await lambdas.invoke('Crash', {}));
      expect(after.pid).not.toBe(before.pid);
    });

    it('reports an uncaught exception as an error and keeps the pool working', async () => {
      const lambdas = invokerFor(fnModel('Crash', 'crash.handler'));
      expect(await lambdas.invoke('Crash', { uncaught: true })).toMatchObject({
        ok: false,
        kind: 'error',
        errorType: 'RangeError',
        errorMessage: 'thrown outside the handler',
      });
      expect(await lambdas.invoke('Crash', {})).toMatchObject({ ok: true });
    });

    it('reports an unhandled rejection as Lambda does and replaces the environment', async () => {
      const lambdas = invokerFor(fnModel('Crash', 'crash.handler'));
      const before = okValue<{ pid: number }>(await lambdas.invoke('Crash', {}));
      expect(await lambdas.invoke('Crash', { rejection: true })).toMatchObject({
        ok: false,
        errorType: 'Runtime.UnhandledPromiseRejection',
        errorMessage: 'TypeError: nobody awaited this',
      });
      const after = okValue<{ pid: number }>(await lambdas.invoke('Crash', {}));
      expect(after.pid).not.toBe(before.pid);
    });

    it('reports a missing module, a missing export and a failing module like Lambda', async () => {
      const lambdas = invokerFor(
        fnModel('NoModule', 'missing.handler'),
        fnModel('NoExport', 'counter.nope'),
        fnModel('Broken', 'broken.handler'),
      );
      expect(await lambdas.invoke('NoModule', {})).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
      expect(await lambdas.invoke('NoExport', {})).toMatchObject({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'counter.nope is undefined or not exported',
      });
      expect(await lambdas.invoke('Broken', {})).toMatchObject({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: 'Error: module failed to load',
      });
    });

    it('answers an unknown function id with ResourceNotFoundException', async () => {
      const lambdas = invokerFor(fnModel('Counter', 'counter.handler'));
      expect(await lambdas.invoke('Ghost', {})).toMatchObject({
        ok: false,
        errorType: 'ResourceNotFoundException',
      });
    });
  });

  describe('context', () => {
    it('passes a Lambda-like context whose remaining time decreases', async () => {
      const lambdas = invokerFor(fnModel('Context', 'context.handler', { timeoutSeconds: 2, memoryMB: 256 }));
      const { first, second, fields } = okValue<{
        first: number;
        second: number;
        fields: Record<string, unknown>;
      }>(await lambdas.invoke('Context', {}));
      expect(first).toBeLessThanOrEqual(2000);
      expect(second).toBeLessThan(first);
      expect(fields).toMatchObject({
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionName: 'Test-Context',
        functionVersion: '$LATEST',
        memoryLimitInMB: '256',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Test-Context',
        logGroupName: '/aws/lambda/Test-Context',
        logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
        callbackWaitsForEmptyEventLoop: true,
      });
    });

    it('gives every invocation its own request id', async () => {
      const lambdas = invokerFor(fnModel('Context', 'context.handler'));
      const ids = await Promise.all(
        [1, 2].map(async () =>
          okValue<{ fields: { awsRequestId: string } }>(await lambdas.invoke('Context', {})),
        ),
      );
      expect(ids[0]?.fields.awsRequestId).not.toBe(ids[1]?.fields.awsRequestId);
    });
  });

  describe('logs', () => {
    it("hands each stdout and stderr line to onLog with the function id, in Lambda's text format", async () => {
      const lines: string[] = [];
      const lambdas = createLambdaInvoker(stackOf(fnModel('Logs', 'logs.handler')), {
        onLog: (functionId, line) => lines.push(`${functionId} ${line}`),
      });
      invokers.push(lambdas);
      expect(okValue(await lambdas.invoke('Logs', { name: 'alice' }))).toBe('logged');
      for (let attempt = 0; attempt < 100 && lines.length < 2; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Logs \S+Z\t[0-9a-f-]{36}\tINFO\thello from alice$/),
          expect.stringMatching(/^Logs \S+Z\t[0-9a-f-]{36}\tERROR\toops 42$/),
        ]),
      );
    });
  });

  describe('close', () => {
    it('ends every worker, fails the invocations in flight and refuses new ones', async () => {
      let started = false;
      const lambdas = createLambdaInvoker(
        stackOf(fnModel('Hang', 'hang.handler'), fnModel('Counter', 'counter.handler')),
        {
          onLog: (_functionId, line) => {
            started ||= line.endsWith('started');
          },
        },
      );
      await lambdas.invoke('Counter', {});
      const inFlight = lambdas.invoke('Hang', {});
      for (let attempt = 0; attempt < 200 && !started; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(started).toBe(true);
      await lambdas.close();
      expect(await inFlight).toMatchObject({ ok: false, kind: 'error', errorType: 'Runtime.ExitError' });
      expect(lambdas.stats()).toEqual({
        Hang: { workers: 0, busy: 0, queued: 0 },
        Counter: { workers: 0, busy: 0, queued: 0 },
      });
      expect(await lambdas.invoke('Counter', {})).toMatchObject({ ok: false, errorType: 'Runtime.Closed' });
    });
  });
});
