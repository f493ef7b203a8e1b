/**
 * Names and ARNs of `AWS::SecretsManager::Secret` resources offline. Secrets Manager appends six random
 * characters to a secret's name in its ARN (`…:secret:<name>-AbCdEf`), and CloudFormation names a secret without
 * a `Name` `<LogicalId>-<12 random characters>`; offline both must be stable across restarts (the ARN is in
 * function environments, tokens and scripts), so they are derived from the stack name and the logical id.
 *
 * @module
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `[A-Za-z0-9]`, a deterministic function of `seed`. */
function stableChars(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return out;
}

/** The name CloudFormation would give a secret that has no `Name`: `<LogicalId>-<12 chars>`. */
export function generatedSecretName(stackName: string, logicalId: string): string {
  return `${logicalId}-${stableChars(`name/${stackName}/${logicalId}`, 12)}`;
}

/** The six characters Secrets Manager appends to the name in the ARN. */
export function secretArnSuffix(stackName: string, logicalId: string): string {
  return stableChars(`arn/${stackName}/${logicalId}`, 6);
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`. */
export function secretArn(region: string, accountId: string, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}
