/**
 * Where the project lives on disk, resolved from this file rather than the working directory, so the stack
 * synthesizes the same way from `cdk synth`, from vitest and from the benchmark.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';

/** Absolute path of the project root (the folder holding `package.json` and `package-lock.json`). */
export const PROJECT_ROOT: string = fileURLToPath(new URL('..', import.meta.url));

/** The lock file NodejsFunction hashes and uses to find the project root when bundling. */
export const LOCK_FILE: string = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/**
 * Absolute path of a route's handler source, `lambdas/handlers/<name>.ts`.
 *
 * @example handlerEntry('publish') // → /…/lambdas/handlers/publish.ts
 */
export function handlerEntry(name: string): string {
  return fileURLToPath(new URL(`../lambdas/handlers/${name}.ts`, import.meta.url));
}
