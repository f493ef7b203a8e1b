/**
 * When the items of a connection expire.
 *
 * @module
 */
import { CONNECTION_TTL_SECONDS, HISTORY_TTL_SECONDS } from './constants.js';

/**
 * The DynamoDB `ttl` (epoch **seconds**) for an item that belongs to a connection opened at `connectedAtMs`.
 * API Gateway closes connections after 2 h, so anything still there 2 h 10 min after the connect was left
 * behind by a lost `$disconnect`.
 */
export const expiresAtFor = (connectedAtMs: number): number =>
  Math.floor(connectedAtMs / 1000) + CONNECTION_TTL_SECONDS;

/** The DynamoDB `ttl` (epoch seconds) of a kept message, or of a channel's counter, written at `nowMs`. */
export const historyExpiry = (nowMs: number): number => Math.floor(nowMs / 1000) + HISTORY_TTL_SECONDS;
