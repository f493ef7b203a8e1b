/**
 * Where the time goes: reads V8 CPU profiles (`.cpuprofile`, as `node --cpu-prof` and the inspector write them)
 * and sums self time by function and by part of the system (gateway, IPC to the Lambda processes, AWS SDK,
 * dynalite, `ws`, JSON and other built-ins, GC, …), for the summary `npm run bench -- --cpu-prof DIR` prints.
 *
 * @example
 * npx tsx bench/realtime/cpu-profile.ts /tmp/prof        # summarise every profile in a directory
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a `.cpuprofile` this module reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** Self time of one function (all its nodes together), in ms. */
export interface FunctionTime {
  readonly name: string;
  /** `file:line`, shortened to the part after the last `node_modules/` or the repository root. */
  readonly location: string;
  readonly category: string;
  readonly ms: number;
}

/** A summary of one or more profiles. */
export interface ProfileSummary {
  /** Sampled time that was not idle, in ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by category, largest first. */
  readonly categories: readonly { readonly category: string; readonly ms: number }[];
  /** Self time by function, largest first. */
  readonly functions: readonly FunctionTime[];
}

/** The repository root, stripped from locations. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Native functions (no URL) that are socket I/O of libuv stream handles. */
const NATIVE_SOCKET_IO = new Set([
  'writev',
  'writeBuffer',
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'connect',
  'close',
  'shutdown',
  'setNoDelay',
  'setKeepAlive',
  'readStart',
  'readStop',
  'getpeername',
  'getsockname',
]);

/** Ordered: the first rule whose test matches names the category. */
const CATEGORY_RULES: readonly (readonly [string, (url: string, name: string) => boolean])[] = [
  ['idle', (url, name) => url === '' && name === '(idle)'],
  ['GC', (url, name) => url === '' && name === '(garbage collector)'],
  ['V8 and native code outside JS (program)', (url, name) => url === '' && name === '(program)'],
  ['socket I/O, native (writev, connect, close, …)', (url, name) => url === '' && NATIVE_SOCKET_IO.has(name)],
  ['JSON.parse / JSON.stringify', (url, name) => url === '' && (name === 'parse' || name === 'stringify')],
  [
    'promises, microtasks and nextTick',
    (url, name) =>
      (url === '' && name === 'runMicrotasks') || /^node:internal\/process\/(task_queues|promises)/.test(url),
  ],
  [
    'AWS SDK (@aws-sdk, @smithy, @aws-crypto)',
    (url) => /\/node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//.test(url),
  ],
  ['Powertools logger', (url) => url.includes('/node_modules/@aws-lambda-powertools/')],
  [
    'dynalite (+ LevelDB in memory)',
    (url) =>
      /\/node_modules\/(dynalite|levelup|memdown|abstract-leveldown|leveldown|lock|big\.js|encoding-down|level-[a-z-]+)\//.test(
        url,
      ) || url.includes('/local/dynamodb/'),
  ],
  ['ws (client sockets and the gateway/floor servers)', (url) => url.includes('/node_modules/ws/')],
  ['gateway (local/gateway)', (url) => url.includes('/local/gateway/')],
  ['Lambda pool, bootstrap and IPC (local/lambda)', (url) => url.includes('/local/lambda/')],
  ['other runtime code (local/)', (url) => url.includes('/local/')],
  ['handlers and core (lambdas/)', (url) => url.includes('/lambdas/')],
  [
    'the Lambda profiler itself (bench preload)',
    (url) => url.endsWith('/bench/realtime/lambda-profiler.mjs'),
  ],
  ['benchmark clients (bench/)', (url) => url.includes('/bench/')],
  [
    'child process IPC (node:child_process, serialization)',
    (url) => url.startsWith('node:internal/child_process'),
  ],
  ['HTTP (node:_http_*)', (url) => /^node:_http_|^node:internal\/http/.test(url)],
  [
    'sockets and streams (node:net, streams)',
    (url) => /^node:net$|^node:internal\/(streams|stream_base_commons|net)/.test(url),
  ],
  ['source maps (--enable-source-maps)', (url) => url.startsWith('node:internal/source_map')],
  ['module loading', (url) => /^node:internal\/(modules|bootstrap)/.test(url)],
  ['crypto (SigV4 hashing, random ids)', (url) => /^node:(internal\/)?crypto/.test(url)],
  ['EventEmitter', (url) => url === 'node:events'],
  ['other Node.js core', (url) => url.startsWith('node:')],
  ['other native built-ins (Buffer, RegExp, …)', (url) => url === ''],
  ['Lambda bundle (unmapped)', (url) => /\/task\//.test(url)],
];

/** The category of a frame, from its URL and function name. */
export function categoryOf(url: string, functionName: string): string {
  for (const [category, test] of CATEGORY_RULES) if (test(url, functionName)) return category;
  return 'other';
}

/** `file:line` of a frame, shortened to what follows the last `node_modules/` or `/work/…/main/`-like root. */
export function locationOf(url: string, lineNumber: number, root: string = REPO_ROOT): string {
  if (url === '') return '(native)';
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) path = path.slice(modules + 'node_modules/'.length);
  else if (path.startsWith(root)) path = path.slice(root.length);
  return lineNumber >= 0 ? `${path}:${lineNumber + 1}` : path;
}

/**
 * Sums self time per function and per category over `profiles`. Each sample is charged the time up to the
 * next sample (`timeDeltas[i + 1]`), as DevTools does; the last sample of a profile gets none.
 */
export function summarizeProfiles(profiles: readonly CpuProfile[], top = 15): ProfileSummary {
  const byFunction = new Map<string, { name: string; location: string; category: string; ms: number }>();
  const byCategory = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i += 1) {
      const frame = nodes.get(samples[i] ?? -1);
      const ms = Math.max(0, deltas[i + 1] ?? 0) / 1000;
      if (frame === undefined || ms === 0) continue;
      const category = categoryOf(frame.url, frame.functionName);
      if (category === 'idle') {
        idleMs += ms;
        continue;
      }
      busyMs += ms;
      byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
      const location = locationOf(frame.url, frame.lineNumber);
      const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
      const key = `${name}@${location}`;
      const entry = byFunction.get(key) ?? { name, location, category, ms: 0 };
      entry.ms += ms;
      byFunction.set(key, entry);
    }
  }
  return {
    busyMs,
    idleMs,
    categories: [...byCategory].map(([category, ms]) => ({ category, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** The summary as text: the categories with their share of busy time, then the top functions. */
export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const share = (ms: number): string =>
    summary.busyMs > 0 ? `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %` : '    -';
  const msText = (ms: number): string => `${Math.round(ms).toLocaleString('en-US').padStart(8)} ms`;
  return [
    `${title}: ${Math.round(summary.busyMs).toLocaleString('en-US')} ms busy (${Math.round(summary.idleMs).toLocaleString('en-US')} ms idle) in the samples`,
    '  self time by part:',
    ...summary.categories.map((c) => `    ${share(c.ms)} ${msText(c.ms)}  ${c.category}`),
    '  top functions by self time:',
    ...summary.functions.map((f) => `    ${share(f.ms)} ${msText(f.ms)}  ${f.name}  ${f.location}`),
  ].join('\n');
}

/** One profile file of a directory. */
export interface ProfileFile {
  readonly file: string;
  readonly profile: CpuProfile;
}

/** Reads every `.cpuprofile` in `dir` whose name starts with `prefix` and passes `keep` (default: all). */
export function readProfiles(
  dir: string,
  prefix: string,
  keep: (file: string) => boolean = () => true,
): ProfileFile[] {
  return readdirSync(dir)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.cpuprofile') && keep(file))
    .map((file) => ({ file, profile: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile }));
}

/**
 * The parts of a Lambda profile's file name, `lambda-<function name>-<pid>-<window>.cpuprofile` (see
 * `lambda-profiler.mjs`); `undefined` for another name.
 */
export function lambdaProfileName(
  file: string,
): { readonly functionName: string; readonly pid: number; readonly window: number } | undefined {
  const match = /^lambda-(.+)-(\d+)-(\d+)\.cpuprofile$/.exec(file);
  if (match === null) return undefined;
  return { functionName: match[1] ?? '', pid: Number(match[2]), window: Number(match[3]) };
}

/**
 * A short name for a function's deployed name: its last `-` part without CloudFormation's 8-character hash,
 * e.g. `Stack-RealtimeApiConnectRouteFunctionE8115C30` → `RealtimeApiConnectRouteFunction`.
 */
export function shortFunctionName(deployedName: string): string {
  const last = deployedName.slice(deployedName.lastIndexOf('-') + 1);
  return last.replace(/[0-9A-F]{8}$/, '') || last;
}

/**
 * Busy sampled time per function over Lambda profile files, largest first, e.g.
 * `RealtimeApiSendMessageRouteFunction 12,345 ms (2 processes)`.
 */
export function formatBusyByFunction(files: readonly ProfileFile[]): string {
  const byFunction = new Map<string, { ms: number; pids: Set<number> }>();
  for (const { file, profile } of files) {
    const parsed = lambdaProfileName(file);
    if (parsed === undefined) continue;
    const name = shortFunctionName(parsed.functionName);
    const entry = byFunction.get(name) ?? { ms: 0, pids: new Set<number>() };
    entry.ms += busyMsOf(profile);
    entry.pids.add(parsed.pid);
    byFunction.set(name, entry);
  }
  return [...byFunction]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(
      ([name, { ms, pids }]) =>
        `    ${Math.round(ms).toLocaleString('en-US').padStart(8)} ms  ${name} (${pids.size} process${pids.size === 1 ? '' : 'es'})`,
    )
    .join('\n');
}

/** Busy (not idle) sampled time of one profile, in ms. */
export function busyMsOf(profile: CpuProfile): number {
  return summarizeProfiles([profile], 0).busyMs;
}

// `npx tsx bench/realtime/cpu-profile.ts DIR`: summarise the main-thread and the Lambda profiles of a directory.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: npx tsx bench/realtime/cpu-profile.ts DIR\n');
    process.exitCode = 2;
  } else {
    for (const [title, prefix] of [
      ['bench process, main thread', 'main-'],
      ['Lambda processes', 'lambda-'],
    ] as const) {
      const profiles = readProfiles(dir, prefix).map((found) => found.profile);
      if (profiles.length > 0) {
        process.stdout.write(`${formatProfileSummary(title, summarizeProfiles(profiles))}\n\n`);
      }
    }
  }
}
