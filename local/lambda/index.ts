/**
 * The local Lambda service: warm, bounded pools of execution environments (one child process each) that run a stack's
 * bundled handlers from task roots laid out as Lambda lays them out.
 *
 * @module
 */
export type { PoolStats } from './function-pool.js';
export {
  createLambdaInvoker,
  type LambdaInvokerOptions,
  type LocalLambdaInvoker,
  runtimeNodeMajor,
} from './invoker.js';
export { RUNTIME_PROVIDED_SCOPES } from './task-root.js';
