/**
 * Types for `dynalite` 4, which ships none: only the options the offline runtime passes.
 *
 * @module
 */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options of the `dynalite(options)` factory. */
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** How long a new table stays `CREATING` (default 500 ms). */
    createTableMs?: number;
    /** How long a deleted table stays `DELETING` (default 500 ms). */
    deleteTableMs?: number;
    /** How long an updated table stays `UPDATING` (default 500 ms). */
    updateTableMs?: number;
    /** Largest item accepted, in KB (default 400, like DynamoDB). */
    maxItemSizeKb?: number;
  }

  /** Creates an HTTP server that speaks the DynamoDB JSON API; call `listen` on it. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
