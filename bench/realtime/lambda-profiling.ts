/**
 * Turns on the CPU profiler of `lambda-profiler.mjs` in every function of a synthesized assembly, by adding it to
 * each function's `NODE_OPTIONS` (`--import=<file URL>`) and the output directory to its environment, in the
 * stack templates of the assembly directory. The runtime gives a function process exactly the template's
 * environment, so nothing of the runtime changes. Only for `npm run bench -- --cpu-prof DIR`, on a copy of the
 * assembly the benchmark owns.
 *
 * @module
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The preload that profiles a function process. */
export const LAMBDA_PROFILER_URL = new URL('./lambda-profiler.mjs', import.meta.url).href;

/** The variable that tells the preload where to write. */
export const PROFILE_DIR_VARIABLE = 'BENCH_LAMBDA_PROF_DIR';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Adds the profiler to every `AWS::Lambda::Function` of a CloudFormation template (in place): `NODE_OPTIONS`
 * keeps what it had (e.g. `--enable-source-maps`, which the profiler needs to map minified frames) and gains
 * `--import=<preload>`; `BENCH_LAMBDA_PROF_DIR` is set to `dir`. Returns how many functions it changed.
 * A `NODE_OPTIONS` that is not a plain string (an intrinsic function) is left alone and the function skipped.
 */
export function addProfilerToTemplate(template: unknown, preloadUrl: string, dir: string): number {
  if (!isObject(template) || !isObject(template.Resources)) return 0;
  let changed = 0;
  for (const resource of Object.values(template.Resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::Lambda::Function') continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    const environment = isObject(properties.Environment) ? properties.Environment : {};
    const variables = isObject(environment.Variables) ? environment.Variables : {};
    const current = variables.NODE_OPTIONS ?? '';
    if (typeof current !== 'string') continue;
    variables.NODE_OPTIONS = `${current} --import=${preloadUrl}`.trim();
    variables[PROFILE_DIR_VARIABLE] = dir;
    environment.Variables = variables;
    properties.Environment = environment;
    resource.Properties = properties;
    changed += 1;
  }
  return changed;
}

/** Applies {@link addProfilerToTemplate} to every `*.template.json` of an assembly directory; returns the count. */
export async function addProfilerToAssembly(assemblyDir: string, profileDir: string): Promise<number> {
  let changed = 0;
  for (const file of await readdir(assemblyDir)) {
    if (!file.endsWith('.template.json')) continue;
    const path = join(assemblyDir, file);
    const template: unknown = JSON.parse(await readFile(path, 'utf8'));
    const count = addProfilerToTemplate(template, LAMBDA_PROFILER_URL, profileDir);
    if (count > 0) await writeFile(path, JSON.stringify(template));
    changed += count;
  }
  return changed;
}
