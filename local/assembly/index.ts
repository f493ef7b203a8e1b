/**
 * The assembly reader: turns a synthesized CDK app (`cdk.out`) into the model the offline runtime serves, and
 * resolves the intrinsics in its function environments.
 *
 * @module
 */
export { localApiId } from './api-id.js';
export { AssemblyError, ResolveError } from './errors.js';
export { readEventSourceMappings, readQueueEventSourceMappings } from './event-source-mappings.js';
export {
  type ApiPorts,
  LOCAL_ACCOUNT_ID,
  type LocalEndpoints,
  type ResolveContext,
  resolveEnvironment,
  resolveValue,
} from './intrinsics.js';
export { loadAssembly } from './load.js';
export { LOCAL_HOST, toLocalUrls } from './local-urls.js';
export { queueNameOf, readQueues } from './queues.js';
