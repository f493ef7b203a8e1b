/**
 * `GenerateSecretString`, as CloudFormation asks Secrets Manager to run it (the `GetRandomPassword` rules): a
 * random password of `PasswordLength` characters from the included character types minus `ExcludeCharacters`,
 * with at least one of each included type unless `RequireEachIncludedType` is false; with
 * `SecretStringTemplate` and `GenerateStringKey`, that JSON object with the password under the key.
 *
 * @module
 */
import { randomInt } from 'node:crypto';

/** `AWS::SecretsManager::Secret.GenerateSecretString`, its values already resolved. */
export interface GenerateSecretStringSpec {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

/** Secrets Manager's default `PasswordLength`. */
export const DEFAULT_PASSWORD_LENGTH = 32;
/** Secrets Manager's longest password. */
export const MAX_PASSWORD_LENGTH = 4096;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** The punctuation Secrets Manager draws from. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The spec cannot produce a secret (Secrets Manager answers `InvalidParameterException`). */
export class GenerateSecretError extends Error {
  override readonly name = 'GenerateSecretError';
}

/** A random integer in [0, max); injectable for tests. */
export type RandomIndex = (max: number) => number;

/**
 * Generates the secret string `spec` describes.
 *
 * @throws GenerateSecretError for a length out of range, no character left to draw from, fewer characters than
 *   required types, or a template without its key (or the reverse) or that is not a JSON object.
 */
export function generateSecretString(
  spec: GenerateSecretStringSpec,
  random: RandomIndex = randomInt,
): string {
  const length = spec.PasswordLength ?? DEFAULT_PASSWORD_LENGTH;
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_LENGTH) {
    throw new GenerateSecretError(
      `PasswordLength must be an integer from 1 to ${MAX_PASSWORD_LENGTH}, got ${String(spec.PasswordLength)}`,
    );
  }
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const types = [
    spec.ExcludeLowercase === true ? '' : LOWER,
    spec.ExcludeUppercase === true ? '' : UPPER,
    spec.ExcludeNumbers === true ? '' : DIGITS,
    spec.ExcludePunctuation === true ? '' : PUNCTUATION,
    spec.IncludeSpace === true ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  const pool = types.join('');
  if (pool.length === 0) throw new GenerateSecretError('every character is excluded');
  const required = spec.RequireEachIncludedType === false ? [] : types;
  if (required.length > length) {
    throw new GenerateSecretError(
      `PasswordLength ${length} is shorter than the ${required.length} character types each password must include`,
    );
  }
  const chars = required.map((type) => pick(type, random));
  while (chars.length < length) chars.push(pick(pool, random));
  // Fisher–Yates, so the required characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return withTemplate(chars.join(''), spec);
}

function pick(chars: string, random: RandomIndex): string {
  return chars[random(chars.length)] as string;
}

function withTemplate(password: string, spec: GenerateSecretStringSpec): string {
  const { SecretStringTemplate: template, GenerateStringKey: key } = spec;
  if (template === undefined && key === undefined) return password;
  if (template === undefined || key === undefined) {
    throw new GenerateSecretError('SecretStringTemplate and GenerateStringKey must be given together');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new GenerateSecretError(`SecretStringTemplate is not JSON: ${template}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GenerateSecretError(`SecretStringTemplate must be a JSON object, got ${template}`);
  }
  return JSON.stringify({ ...parsed, [key]: password });
}
