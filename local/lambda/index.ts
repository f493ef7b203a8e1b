/**
 * The local Lambda service: warm, bounded pools of worker threads that run a stack's bundled handlers.
 *
 * @module
 */
export { LOCAL_CREDENTIALS } from './environment.js';
export type { PoolStats } from './function-pool.js';
export { createLambdaInvoker, type LambdaInvokerOptions, type LocalLambdaInvoker } from './invoker.js';
