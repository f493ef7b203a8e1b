/**
 * Finds the file and export a Lambda `Handler` string names, the way Lambda's Node.js runtime does:
 * `index.handler` is export `handler` of `index.js`, `index.mjs` or `index.cjs` in the code directory;
 * `src/app.main` is export `main` of `src/app.*`; `index.a.b` is export path `a.b`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The extensions Lambda tries, in its order. */
const EXTENSIONS = ['.js', '.mjs', '.cjs'] as const;

/** A handler's module file and the path of the function inside its exports. */
export interface HandlerLocation {
  readonly modulePath: string;
  readonly exportPath: readonly string[];
}

/**
 * An init failure. Its `name` is Lambda's error type (`Runtime.ImportModuleError`,
 * `Runtime.MalformedHandlerName`), which is what the invocation reports as `errorType`.
 */
export class HandlerInitError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * Locates the handler `handler` inside `codeDir`.
 *
 * @throws HandlerInitError when the handler string is malformed or no module file exists.
 */
export function locateHandler(codeDir: string, handler: string): HandlerLocation {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) {
    throw new HandlerInitError(
      'Runtime.MalformedHandlerName',
      `Bad handler ${handler}: expected <module>.<export>`,
    );
  }
  const moduleName = `${dir}${base.slice(0, dot)}`;
  const exportPath = base.slice(dot + 1).split('.');
  for (const extension of EXTENSIONS) {
    const modulePath = join(codeDir, `${moduleName}${extension}`);
    if (existsSync(modulePath)) return { modulePath, exportPath };
  }
  throw new HandlerInitError(
    'Runtime.ImportModuleError',
    `Error: Cannot find module '${moduleName}' in ${codeDir}`,
  );
}
