import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaInvoker,
  type LambdaInvokerOptions,
  type LocalLambdaInvoker,
  runtimeNodeMajor,
} from '../../../local/lambda/index.js';
import type { FunctionModel, InvokeResult, StackModel } from '../../../local/model.js';

/**
 * A user's project as CDK leaves it: `"type": "module"` at the top, a `node_modules` with a dependency the
 * bundles should have included, and `cdk.out/asset.*` directories holding the bundles.
 */
const PROJECT_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'my-app', type: 'module' }),
  'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', main: 'index.js' }),
  'node_modules/left-pad/index.js': 'module.exports = (s) => s;',
  // The app's own SDK copy wins over the runtime's for packages it has.
  'node_modules/@aws-sdk/client-dynamodb/package.json': JSON.stringify({
    name: '@aws-sdk/client-dynamodb',
    main: 'index.js',
  }),
  'node_modules/@aws-sdk/client-dynamodb/index.js': "exports.whose = 'the app project';",
  // CDK's default output: CommonJS, SDK left external.
  'cdk.out/asset.cjs/index.js': `
    "use strict";
    const { PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
    const dynamo = require('@aws-sdk/client-dynamodb');
    module.exports.handler = async () => ({
      format: typeof module === 'object' ? 'commonjs' : 'esm',
      command: typeof PostToConnectionCommand,
      dynamo: dynamo.whose,
    });`,
  'cdk.out/asset.esm/index.mjs': `
    import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
    export const handler = async () => ({ format: 'esm', command: typeof PostToConnectionCommand });`,
  // An ESM bundle in .js, declared by a package.json inside the asset (the way Lambda reads it).
  'cdk.out/asset.typed/package.json': JSON.stringify({ type: 'module' }),
  'cdk.out/asset.typed/index.js': `export const handler = async () => ({ format: import.meta.url ? 'esm' : '?' });`,
  // Forgot to bundle left-pad: it sits in the project's node_modules, which Lambda never sees.
  'cdk.out/asset.forgot/index.js': `
    const pad = require('left-pad');
    exports.handler = async () => pad('x');`,
  'cdk.out/asset.forgot-esm/index.mjs': `
    import pad from 'left-pad';
    export const handler = async () => pad('x');`,
  'cdk.out/asset.nested/src/handlers/app.js': 'exports.main = async () => "nested";',
  'cdk.out/asset.order/index.js': 'exports.handler = async () => "js";',
  'cdk.out/asset.order/index.mjs': 'export const handler = async () => "mjs";',
  'cdk.out/asset.order/other.mjs': 'export const handler = async () => "mjs";',
  'cdk.out/asset.order/other.cjs': 'exports.handler = async () => "cjs";',
  'cdk.out/asset.probe/index.mjs': `
    import { getHeapStatistics } from 'node:v8';
    export const handler = async () => ({
      cwd: process.cwd(),
      taskRoot: process.env.LAMBDA_TASK_ROOT,
      handler: process.env._HANDLER,
      executionEnv: process.env.AWS_EXECUTION_ENV,
      tz: process.env.TZ,
      offsetMinutes: new Date(2026, 0, 15).getTimezoneOffset(),
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      heapLimitMB: getHeapStatistics().heap_size_limit / 1048576,
      sourceMaps: process.sourceMapsEnabled,
      nodeOptions: process.env.NODE_OPTIONS ?? null,
    });`,
};

let project: string;
const invokers: LocalLambdaInvoker[] = [];

const fnModel = (logicalId: string, asset: string, handler: string, extra: Partial<FunctionModel> = {}) => ({
  logicalId,
  functionName: `App-${logicalId}`,
  codeDir: join(project, 'cdk.out', asset),
  handler,
  runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
  timeoutSeconds: 10,
  memoryMB: 256,
  environment: {},
  ...extra,
});

const invokerFor = (functions: FunctionModel[], options: LambdaInvokerOptions = {}): LocalLambdaInvoker => {
  const stack: StackModel = {
    stackName: 'App',
    apis: [],
    functions: new Map(functions.map((fn) => [fn.logicalId, fn])),
    tables: [],
    resources: {},
  };
  const invoker = createLambdaInvoker(stack, {
    sdkSources: [join(project, 'node_modules')],
    ...options,
  });
  invokers.push(invoker);
  return invoker;
};

function okValue<T>(result: InvokeResult): T {
  if (!result.ok) throw new Error(`invocation failed: ${result.errorType}: ${result.errorMessage}`);
  return result.value as T;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'lambda-sandbox-'));
  for (const [path, content] of Object.entries(PROJECT_FILES)) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), content);
  }
});

afterEach(async () => {
  await Promise.all(invokers.splice(0).map((invoker) => invoker.close()));
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('task root: each asset runs as Lambda lays it out', () => {
  it('runs a CommonJS bundle inside a "type": "module" project, with the SDK left external', async () => {
    const lambdas = invokerFor([fnModel('Cjs', 'asset.cjs', 'index.handler')]);
    expect(okValue(await lambdas.invoke('Cjs', {}))).toEqual({
      format: 'commonjs',
      command: 'function',
      dynamo: 'the app project',
    });
  });

  it('runs an ESM bundle (.mjs) that imports the SDK the runtime provides', async () => {
    const lambdas = invokerFor([fnModel('Esm', 'asset.esm', 'index.handler')]);
    expect(okValue(await lambdas.invoke('Esm', {}))).toEqual({ format: 'esm', command: 'function' });
  });

  it('reads the module format from a package.json inside the asset', async () => {
    const lambdas = invokerFor([fnModel('Typed', 'asset.typed', 'index.handler')]);
    expect(okValue(await lambdas.invoke('Typed', {}))).toEqual({ format: 'esm' });
  });

  it('takes the SDK from the runtime when the app project has none', async () => {
    const lambdas = invokerFor([fnModel('Cjs', 'asset.cjs', 'index.handler')], { sdkSources: [] });
    // The runtime's own client-dynamodb has no `whose` export.
    expect(okValue(await lambdas.invoke('Cjs', {}))).toEqual({ format: 'commonjs', command: 'function' });
  });

  it.each([
    ['CommonJS', 'asset.forgot', /Error: Cannot find module 'left-pad'/],
    ['ESM', 'asset.forgot-esm', /Cannot find package 'left-pad'/],
  ])(
    'fails a %s bundle that forgot a dependency found only in a parent node_modules, as AWS would',
    async (_format, asset, message) => {
      const lambdas = invokerFor([fnModel('Forgot', asset, 'index.handler')]);
      expect(await lambdas.invoke('Forgot', {})).toMatchObject({
        ok: false,
        errorType: 'Runtime.ImportModuleError',
        errorMessage: expect.stringMatching(message),
      });
    },
  );

  it('resolves nested handler paths and tries .js, then .mjs, then .cjs', async () => {
    const lambdas = invokerFor([
      fnModel('Nested', 'asset.nested', 'src/handlers/app.main'),
      fnModel('JsFirst', 'asset.order', 'index.handler'),
      fnModel('MjsBeforeCjs', 'asset.order', 'other.handler'),
      fnModel('Malformed', 'asset.order', 'index'),
    ]);
    expect(okValue(await lambdas.invoke('Nested', {}))).toBe('nested');
    expect(okValue(await lambdas.invoke('JsFirst', {}))).toBe('js');
    expect(okValue(await lambdas.invoke('MjsBeforeCjs', {}))).toBe('mjs');
    expect(await lambdas.invoke('Malformed', {})).toMatchObject({
      errorType: 'Runtime.MalformedHandlerName',
    });
  });

  it('removes the task roots on close', async () => {
    const lambdas = invokerFor([fnModel('Probe', 'asset.probe', 'index.handler')]);
    const { taskRoot } = okValue<{ taskRoot: string }>(await lambdas.invoke('Probe', {}));
    const { existsSync } = await import('node:fs');
    expect(existsSync(taskRoot)).toBe(true);
    await lambdas.close();
    expect(existsSync(taskRoot)).toBe(false);
  });
});

describe('execution environment: a process of its own per warm instance', () => {
  interface Probe {
    cwd: string;
    taskRoot: string;
    handler: string;
    executionEnv: string;
    tz: string;
    offsetMinutes: number;
    zone: string;
    heapLimitMB: number;
    sourceMaps: boolean;
    nodeOptions: string | null;
  }

  it('runs in the task root, a copy of the asset outside the project', async () => {
    const lambdas = invokerFor([fnModel('Probe', 'asset.probe', 'index.handler')]);
    const probe = okValue<Probe>(await lambdas.invoke('Probe', {}));
    expect(probe.cwd).toBe(probe.taskRoot);
    expect(probe.taskRoot.startsWith(project)).toBe(false);
    expect(probe.cwd).not.toBe(process.cwd());
    expect(probe).toMatchObject({
      handler: 'index.handler',
      executionEnv: expect.stringMatching(/^AWS_Lambda_nodejs\d+\.x$/),
    });
  });

  it('runs in UTC even when the host is in another time zone', async () => {
    const hostZone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      expect(new Date(2026, 0, 15).getTimezoneOffset()).toBe(-330);
      const lambdas = invokerFor([fnModel('Probe', 'asset.probe', 'index.handler')]);
      const probe = okValue<Probe>(await lambdas.invoke('Probe', {}));
      expect(probe).toMatchObject({ tz: ':UTC', offsetMinutes: 0 });
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });

  it('bounds the heap by MemorySize as Lambda does', async () => {
    const lambdas = invokerFor([
      fnModel('Small', 'asset.probe', 'index.handler', { memoryMB: 256 }),
      fnModel('Large', 'asset.probe', 'index.handler', { memoryMB: 1024 }),
    ]);
    const small = okValue<Probe>(await lambdas.invoke('Small', {}));
    const large = okValue<Probe>(await lambdas.invoke('Large', {}));
    expect(small.heapLimitMB).toBeGreaterThan(200);
    expect(small.heapLimitMB).toBeLessThan(256 * 1.2);
    expect(large.heapLimitMB).toBeGreaterThan(900);
    expect(large.heapLimitMB).toBeLessThan(1024 * 1.2);
  });

  it('applies NODE_OPTIONS from the template', async () => {
    const lambdas = invokerFor([
      fnModel('Plain', 'asset.probe', 'index.handler'),
      fnModel('Maps', 'asset.probe', 'index.handler', {
        environment: { NODE_OPTIONS: '--enable-source-maps' },
      }),
    ]);
    expect(okValue<Probe>(await lambdas.invoke('Plain', {}))).toMatchObject({
      sourceMaps: false,
      nodeOptions: null,
    });
    expect(okValue<Probe>(await lambdas.invoke('Maps', {}))).toMatchObject({
      sourceMaps: true,
      nodeOptions: '--enable-source-maps',
    });
  });

  it('fails an invocation that runs out of memory and replaces the environment', async () => {
    await writeFile(
      join(project, 'cdk.out/asset.probe/hog.mjs'),
      `const hoard = [];
       export const handler = async () => { for (;;) hoard.push(new Array(1e5).fill(hoard.length)); };`,
    );
    const lambdas = invokerFor([
      fnModel('Hog', 'asset.probe', 'hog.handler', { memoryMB: 128 }),
      fnModel('Probe', 'asset.probe', 'index.handler', { memoryMB: 128 }),
    ]);
    expect(await lambdas.invoke('Hog', {})).toMatchObject({
      ok: false,
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/^Runtime exited with error: (signal SIGABRT|exit status 134)/),
    });
    expect(await lambdas.invoke('Probe', {})).toMatchObject({ ok: true });
  });
});

describe('host runtime check', () => {
  it('reads the Node.js major of a Lambda runtime identifier', () => {
    expect(runtimeNodeMajor('nodejs24.x')).toBe(24);
    expect(runtimeNodeMajor('nodejs20.x')).toBe(20);
    expect(runtimeNodeMajor('python3.12')).toBeUndefined();
  });

  it('warns once per declared runtime whose major differs from the host', async () => {
    const warnings: string[] = [];
    const host = Number(process.versions.node.split('.')[0]);
    const lambdas = invokerFor(
      [
        fnModel('Other1', 'asset.esm', 'index.handler', { runtime: `nodejs${host + 4}.x` }),
        fnModel('Other2', 'asset.esm', 'index.handler', { runtime: `nodejs${host + 4}.x` }),
        fnModel('Same', 'asset.esm', 'index.handler'),
      ],
      { onWarning: (message) => warnings.push(message) },
    );
    await Promise.all(['Other1', 'Other2', 'Same'].map((id) => lambdas.invoke(id, {})));
    expect(warnings).toEqual([expect.stringContaining(`nodejs${host + 4}.x`)]);
    expect(warnings[0]).toContain(`Node.js ${process.versions.node}`);
  });
});
