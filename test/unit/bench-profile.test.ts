import { describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  categoryOf,
  formatBusyByFunction,
  lambdaProfileName,
  locationOf,
  shortFunctionName,
  summarizeProfiles,
} from '../../bench/realtime/cpu-profile.js';
import { addProfilerToTemplate, PROFILE_DIR_VARIABLE } from '../../bench/realtime/lambda-profiling.js';

describe('categoryOf', () => {
  it.each([
    ['', '(idle)', 'idle'],
    ['', '(garbage collector)', 'GC'],
    ['', 'writev', 'socket I/O, native (writev, connect, close, …)'],
    ['', 'parse', 'JSON.parse / JSON.stringify'],
    ['file:///repo/node_modules/@smithy/core/dist-es/x.js', 'f', 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)'],
    ['file:///repo/node_modules/@aws-sdk/core/x.js', 'f', 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)'],
    ['file:///repo/node_modules/dynalite/db/index.js', 'f', 'dynalite (+ LevelDB in memory)'],
    [
      'file:///repo/node_modules/ws/lib/receiver.js',
      'f',
      'ws (client sockets and the gateway/floor servers)',
    ],
    ['file:///repo/local/gateway/connection.ts', 'f', 'gateway (local/gateway)'],
    ['file:///repo/local/lambda/function-pool.ts', 'f', 'Lambda pool, bootstrap and IPC (local/lambda)'],
    ['file:///repo/lambdas/core/fan-out.ts', 'f', 'handlers and core (lambdas/)'],
    ['file:///repo/bench/realtime/fleet.ts', 'f', 'benchmark clients (bench/)'],
    [
      'node:internal/child_process/serialization',
      'f',
      'child process IPC (node:child_process, serialization)',
    ],
    ['node:_http_server', 'f', 'HTTP (node:_http_*)'],
    ['node:internal/source_map/source_map', 'f', 'source maps (--enable-source-maps)'],
    ['node:internal/crypto/hash', 'f', 'crypto (SigV4 hashing, random ids)'],
    ['node:util', 'f', 'other Node.js core'],
    ['file:///elsewhere/thing.js', 'f', 'other'],
  ])('puts %s %s under %s', (url, name, category) => {
    expect(categoryOf(url, name)).toBe(category);
  });
});

describe('locationOf', () => {
  it('shortens to what follows node_modules/ or the repository root, with a 1-based line', () => {
    expect(locationOf('file:///r/node_modules/@smithy/x/y.js', 9, '/r/')).toBe('@smithy/x/y.js:10');
    expect(locationOf('file:///r/local/gateway/server.ts', 0, '/r/')).toBe('local/gateway/server.ts:1');
    expect(locationOf('', 5, '/r/')).toBe('(native)');
  });
});

/** A profile whose samples are `[nodeId, µs until the next sample]` pairs. */
function profile(
  frames: Record<number, { functionName: string; url: string }>,
  samples: [number, number][],
): CpuProfile {
  return {
    nodes: Object.entries(frames).map(([id, frame]) => ({
      id: Number(id),
      callFrame: { ...frame, lineNumber: 0 },
    })),
    samples: samples.map(([id]) => id),
    // timeDeltas[i] is the time before sample i; sample i is charged timeDeltas[i + 1].
    timeDeltas: [0, ...samples.slice(0, -1).map(([, us]) => us)],
  };
}

describe('summarizeProfiles', () => {
  const frames = {
    1: { functionName: '(idle)', url: '' },
    2: { functionName: 'sign', url: 'file:///r/node_modules/@smithy/signature-v4/x.js' },
    3: { functionName: 'send', url: 'file:///r/local/gateway/connection.ts' },
  };

  it('charges each sample the time to the next, keeps idle apart, and sums by category and function', () => {
    const summary = summarizeProfiles([
      profile(frames, [
        [2, 3000],
        [1, 5000],
        [3, 1000],
        [2, 0],
      ]),
      profile(frames, [
        [2, 2000],
        [3, 0],
      ]),
    ]);

    expect(summary.busyMs).toBe(6);
    expect(summary.idleMs).toBe(5);
    expect(summary.categories).toEqual([
      { category: 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)', ms: 5 },
      { category: 'gateway (local/gateway)', ms: 1 },
    ]);
    expect(summary.functions.map((f) => [f.name, f.ms])).toEqual([
      ['sign', 5],
      ['send', 1],
    ]);
  });

  it('keeps only the top functions asked for', () => {
    const summary = summarizeProfiles(
      [
        profile(frames, [
          [2, 1000],
          [3, 1000],
          [2, 0],
        ]),
      ],
      1,
    );

    expect(summary.functions).toHaveLength(1);
  });
});

describe('Lambda profile file names', () => {
  it('reads function, pid and window from lambda-<function>-<pid>-<n>.cpuprofile', () => {
    expect(
      lambdaProfileName('lambda-Stack-RealtimeApiConnectRouteFunctionE8115C30-5253-12.cpuprofile'),
    ).toEqual({
      functionName: 'Stack-RealtimeApiConnectRouteFunctionE8115C30',
      pid: 5253,
      window: 12,
    });
    expect(lambdaProfileName('main-1.cpuprofile')).toBeUndefined();
  });

  it("shortens a deployed name to its last part without CloudFormation's hash", () => {
    expect(shortFunctionName('Stack-RealtimeApiConnectRouteFunctionE8115C30')).toBe(
      'RealtimeApiConnectRouteFunction',
    );
    expect(shortFunctionName('plain')).toBe('plain');
  });

  it('sums busy time per function over its processes and windows, largest first', () => {
    const busy = (us: number): CpuProfile =>
      profile({ 2: { functionName: 'f', url: 'node:util' } }, [
        [2, us],
        [2, 0],
      ]);
    const text = formatBusyByFunction([
      { file: 'lambda-S-AFn0000000A-1-1.cpuprofile', profile: busy(2000) },
      { file: 'lambda-S-AFn0000000A-2-1.cpuprofile', profile: busy(3000) },
      { file: 'lambda-S-BFn0000000B-3-1.cpuprofile', profile: busy(9000) },
    ]);

    expect(text.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['9', 'ms', 'BFn', '(1', 'process)'],
      ['5', 'ms', 'AFn', '(2', 'processes)'],
    ]);
  });
});

describe('addProfilerToTemplate', () => {
  it('adds the preload to NODE_OPTIONS of every function, keeping what was there, and sets the directory', () => {
    const template = {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', TABLE_NAME: 't' } },
          },
        },
        Bare: { Type: 'AWS::Lambda::Function', Properties: {} },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      },
    };

    expect(addProfilerToTemplate(template, 'file:///p.mjs', '/tmp/prof')).toBe(2);
    expect(template.Resources.Fn.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps --import=file:///p.mjs',
      TABLE_NAME: 't',
      [PROFILE_DIR_VARIABLE]: '/tmp/prof',
    });
    expect(template.Resources.Bare.Properties).toEqual({
      Environment: {
        Variables: { NODE_OPTIONS: '--import=file:///p.mjs', [PROFILE_DIR_VARIABLE]: '/tmp/prof' },
      },
    });
    expect(template.Resources.Table.Properties).toEqual({});
  });

  it('leaves a function whose NODE_OPTIONS is an intrinsic alone, and a non-template untouched', () => {
    const variables = { NODE_OPTIONS: { 'Fn::Join': ['', ['--x']] } };
    const template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: variables } } },
      },
    };

    expect(addProfilerToTemplate(template, 'file:///p.mjs', '/d')).toBe(0);
    expect(variables).toEqual({ NODE_OPTIONS: { 'Fn::Join': ['', ['--x']] } });
    expect(addProfilerToTemplate(null, 'file:///p.mjs', '/d')).toBe(0);
  });
});
