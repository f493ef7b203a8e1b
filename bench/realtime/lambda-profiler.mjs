/**
 * A CPU profiler preloaded into every Lambda execution environment of the runtime when `npm run bench` runs with
 * `--cpu-prof DIR` (through `NODE_OPTIONS=--import=<this file>` in the functions' environment). Plain JavaScript:
 * it runs in the function's own process, where no TypeScript loader exists.
 *
 * `node --cpu-prof` writes its profile when the process exits, but the runtime ends an execution environment
 * with SIGKILL (as Lambda discards one), so nothing would be written. This preload profiles through the
 * inspector instead and writes what it has every {@link FLUSH_MS} ms to
 * `$BENCH_LAMBDA_PROF_DIR/lambda-<function>-<pid>-<n>.cpuprofile` (only the last, partial window is lost).
 *
 * The bundles are minified: with source maps enabled (the stack sets `--enable-source-maps`), every frame is
 * rewritten to its original file and line before writing, so a summary can tell the SDK from the handlers.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';

/** How often the profile so far is written out. */
const FLUSH_MS = 5_000;
/** Sampling interval, in µs (what `--cpu-prof-interval` defaults to). */
const SAMPLING_INTERVAL_US = 1_000;

const dir = process.env.BENCH_LAMBDA_PROF_DIR;
const name = (process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function').replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * @param {Session} session
 * @param {string} method
 * @param {object} [params]
 * @returns {Promise<any>}
 */
function post(session, method, params = {}) {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Rewrites each frame of a bundle to its original source, file and line, where a source map knows it.
 *
 * @param {{ nodes: { callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number } }[] }} profile
 */
function mapFrames(profile) {
  /** @type {Map<string, import('node:module').SourceMap | undefined>} */
  const maps = new Map();
  for (const { callFrame } of profile.nodes) {
    const { url, lineNumber, columnNumber } = callFrame;
    if (url === '' || url.startsWith('node:') || lineNumber < 0) continue;
    if (!maps.has(url)) {
      let map;
      try {
        map = findSourceMap(url) ?? findSourceMap(new URL(url).pathname);
      } catch {
        map = undefined;
      }
      maps.set(url, map);
    }
    const entry = maps.get(url)?.findEntry(lineNumber, columnNumber);
    if (entry === undefined || typeof entry.originalSource !== 'string') continue;
    callFrame.url = entry.originalSource;
    callFrame.lineNumber = entry.originalLine;
    callFrame.columnNumber = entry.originalColumn;
  }
}

if (dir !== undefined && dir !== '') {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await post(session, 'Profiler.start');
  let written = 0;
  let flushing = false;
  setInterval(async () => {
    if (flushing) return;
    flushing = true;
    try {
      const { profile } = await post(session, 'Profiler.stop');
      await post(session, 'Profiler.start');
      mapFrames(profile);
      writeFileSync(`${dir}/lambda-${name}-${process.pid}-${written}.cpuprofile`, JSON.stringify(profile));
      written += 1;
    } catch {
      // a profile lost is a figure missing, never a failed invocation
    } finally {
      flushing = false;
    }
  }, FLUSH_MS).unref();
}
