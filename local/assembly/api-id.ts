/**
 * Local API ids. API Gateway ids are 10 lowercase alphanumerics chosen at deploy time; offline they must be
 * stable across restarts (clients and logs keep them) and distinct per API, so they are derived from the stack
 * name and the logical id.
 *
 * @module
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const API_ID_LENGTH = 10;

/** The deterministic local id of the API `logicalId` of `stackName` (10 chars of `[a-z0-9]`). */
export function localApiId(stackName: string, logicalId: string): string {
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  let id = '';
  for (let i = 0; i < API_ID_LENGTH; i++) id += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return id;
}
