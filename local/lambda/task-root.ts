/**
 * Lays each function's code out the way Lambda does before its first invocation. In AWS the asset is unzipped
 * alone into `/var/task`: no package.json of the user's project lies above it, and the only modules resolvable
 * from outside the bundle are the ones the Node.js runtime ships, AWS SDK v3 (`@aws-sdk/*`, `@smithy/*`).
 *
 * Locally, under one temporary directory of the runtime (outside any project):
 *
 * ```
 * <root>/package.json              {} — a boundary: nothing above it decides the module format
 * <root>/node_modules/@aws-sdk/…   links to the SDK packages (the app's own first, else the runtime's)
 * <root>/node_modules/@smithy/…
 * <root>/task/<asset>/             a copy of the asset: LAMBDA_TASK_ROOT and the working directory
 * ```
 *
 * So the module format is decided by the asset alone (`.mjs`/`.cjs`, or a package.json inside it), a bundle
 * that leaves the SDK external finds it as in Lambda, and a bundle that forgot any other dependency fails with
 * `Cannot find module`, as it would in AWS — however many `node_modules` folders the app's project has.
 *
 * @module
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The package scopes Lambda's Node.js runtime provides (AWS SDK for JavaScript v3 and its Smithy core). */
export const RUNTIME_PROVIDED_SCOPES = ['@aws-sdk', '@smithy'] as const;

/** The `node_modules` folder that holds this runtime's own copy of the AWS SDK. */
function ownNodeModules(): string {
  const manifest = createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb/package.json');
  // …/node_modules/@aws-sdk/client-dynamodb/package.json → …/node_modules
  return dirname(dirname(dirname(manifest)));
}

/**
 * Links every package of the runtime-provided scopes into `target`, taking each package from the first of
 * `sources` that has it. Returns how many packages were linked.
 */
function linkProvidedPackages(target: string, sources: readonly string[]): number {
  let linked = 0;
  for (const scope of RUNTIME_PROVIDED_SCOPES) {
    const scopeDir = join(target, scope);
    mkdirSync(scopeDir, { recursive: true });
    const taken = new Set<string>();
    for (const source of sources) {
      const from = join(source, scope);
      if (!existsSync(from)) continue;
      for (const name of readdirSync(from)) {
        if (taken.has(name) || name.startsWith('.')) continue;
        taken.add(name);
        symlinkSync(join(from, name), join(scopeDir, name), 'dir');
        linked++;
      }
    }
  }
  return linked;
}

/** Options of {@link TaskRoots}. */
export interface TaskRootsOptions {
  /**
   * `node_modules` folders to take the AWS SDK from, in order of preference, before the runtime's own (e.g. the
   * `node_modules` beside the served `cdk.out`, where a CDK app's project installs the SDK).
   * @default none
   */
  readonly sdkSources?: readonly string[];
  /** Parent of the temporary directory. @default os.tmpdir() */
  readonly parentDir?: string;
}

/**
 * The task roots of one runtime: created lazily, one per asset directory, removed by {@link dispose}.
 *
 * @example
 * const roots = new TaskRoots({ sdkSources: ['/home/me/app/node_modules'] });
 * const taskRoot = roots.taskRootOf('/home/me/app/cdk.out/asset.abc123'); // …/task/asset.abc123
 * roots.dispose();
 */
export class TaskRoots {
  private root: string | undefined;
  private readonly copies = new Map<string, string>();

  constructor(private readonly options: TaskRootsOptions = {}) {}

  /** The directory that holds every task root and the provided SDK (created on first use). */
  get rootDir(): string {
    if (this.root === undefined) {
      const root = mkdtempSync(join(this.options.parentDir ?? tmpdir(), 'realtime-lambda-'));
      writeFileSync(join(root, 'package.json'), '{}\n');
      const sources = [...(this.options.sdkSources ?? []), ownNodeModules()];
      linkProvidedPackages(join(root, 'node_modules'), [...new Set(sources)]);
      mkdirSync(join(root, 'task'));
      this.root = root;
    }
    return this.root;
  }

  /**
   * The task root of the asset at `codeDir`: a copy of it under {@link rootDir}, made on the first call and
   * reused by every later one (functions that share an asset share its copy, as they share the zip in AWS).
   */
  taskRootOf(codeDir: string): string {
    let copy = this.copies.get(codeDir);
    if (copy === undefined) {
      copy = join(this.rootDir, 'task', `${basename(codeDir)}-${this.copies.size}`);
      cpSync(codeDir, copy, { recursive: true, dereference: true });
      this.copies.set(codeDir, copy);
    }
    return copy;
  }

  /** Removes every task root; later calls lay them out afresh. */
  dispose(): void {
    if (this.root !== undefined) rmSync(this.root, { recursive: true, force: true });
    this.root = undefined;
    this.copies.clear();
  }
}
