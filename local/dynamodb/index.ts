/**
 * The offline runtime's DynamoDB: engines, tables from the template, and the TTL sweeper.
 *
 * @module
 */
export { createLocalDynamoClient, LOCAL_CREDENTIALS, LOCAL_REGION } from './client.js';
export { type DynamoEngine, type DynamoOptions, type RunningDynamo, startDynamo } from './engine.js';
export { DynamoEngineError, type DynamoEngineErrorCode } from './errors.js';
export { type CreatedTable, createTables, toCreateTableInput } from './tables.js';
export { startTtlSweeper, type TtlSweeper, type TtlSweeperOptions } from './ttl-sweeper.js';
