/**
 * SQS, offline: in-memory queues from the template, the SQS API on the services endpoint, and the pollers that
 * feed queue messages to the functions of event source mappings.
 *
 * @module
 */
export { sqsService } from './api.js';
export { SqsError } from './errors.js';
export { LocalQueue, type ReceivedMessage } from './queue.js';
export { createQueueRegistry, type QueueRegistry } from './registry.js';
export { type RunningSqs, type SqsOptions, startSqs } from './start.js';
