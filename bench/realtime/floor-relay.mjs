/**
 * The entry of a floor relay thread (`floor-server.ts` starts it in a `worker_threads` Worker): loads
 * `floor-relay-thread.ts` through tsx's loader, so the thread runs the TypeScript of the fan-out's own SDK client
 * and request handler whether its parent runs under tsx, vitest or plain node. Plain JavaScript on purpose: a
 * Worker does not inherit its parent's module loader.
 *
 * @module
 */
import { tsImport } from 'tsx/esm/api';

await tsImport('./floor-relay-thread.ts', import.meta.url);
