/**
 * The secrets of the served stacks (`AWS::SecretsManager::Secret`): a literal `SecretString` as it is, a
 * `GenerateSecretString` generated once and kept in the state directory, so the secret — and every token
 * signed with it — survives a restart, as a deployed secret survives a redeploy.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LocalEndpoints, resolveValue } from '../assembly/index.js';
import { generatedSecretName } from '../assembly/secret-ids.js';
import type { StackModel, TemplateValue } from '../model.js';
import { GenerateSecretError, type GenerateSecretStringSpec, generateSecretString } from './generate.js';

/** Where local state lives when no `--state-dir` is given: `.realtime-local/` in the working directory. */
export const DEFAULT_STATE_DIR = '.realtime-local';
/** The file of the state directory that holds generated secrets. */
export const SECRETS_FILE = 'secrets.json';

/** `-AbCdEf`: what Secrets Manager appends to the name in an ARN; a partial ARN leaves it out. */
const ARN_SUFFIX_LENGTH = 7;

/** One emulated secret, with its only version (`AWSCURRENT`). */
export interface LocalSecret {
  readonly stackName: string;
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly secretString: string;
  readonly versionId: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** The secrets of a runtime, found by ARN, partial ARN (without the 6-character suffix) or name. */
export interface SecretVault {
  readonly secrets: readonly LocalSecret[];
  find(secretId: string): LocalSecret | undefined;
}

/** A template's secret cannot be served (a bad `GenerateSecretString`, an unreadable state file). */
export class SecretConfigurationError extends Error {
  override readonly name = 'SecretConfigurationError';
}

/** One generated secret as kept on disk. */
interface KeptSecret {
  /** Hash of the `GenerateSecretString` it was generated from: a changed spec generates a new secret. */
  readonly spec: string;
  readonly value: string;
  readonly versionId: string;
  readonly createdAt: number;
}

interface StateFile {
  readonly secrets: Record<string, KeptSecret>;
}

/** Options of {@link loadSecrets}. */
export interface LoadSecretsOptions extends LocalEndpoints {
  /** Generated secrets are kept in `<stateDir>/secrets.json`. */
  readonly stateDir: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Reads every `AWS::SecretsManager::Secret` of `stacks`, generating (and persisting) the values of those with
 * `GenerateSecretString` that the state directory does not hold yet.
 *
 * @throws SecretConfigurationError for a spec Secrets Manager would refuse or an unreadable state file;
 *   `ResolveError` for a `Name` or `SecretString` that cannot be resolved offline.
 */
export async function loadSecrets(
  stacks: readonly StackModel[],
  options: LoadSecretsOptions,
): Promise<SecretVault> {
  const now = options.now ?? Date.now;
  const file = join(options.stateDir, SECRETS_FILE);
  const state = await readState(file);
  let changed = false;
  const secrets: LocalSecret[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      const properties = resource.Properties ?? {};
      const resolve = (value: TemplateValue) => resolveValue(value, { ...options, stack });
      const arn = resolve({ Ref: logicalId });
      const name =
        properties.Name === undefined
          ? generatedSecretName(stack.stackName, logicalId)
          : resolve(properties.Name);
      const description = properties.Description === undefined ? undefined : resolve(properties.Description);
      const common = {
        stackName: stack.stackName,
        logicalId,
        arn,
        name,
        ...(description && { description }),
      };
      if (properties.SecretString !== undefined) {
        const secretString = resolve(properties.SecretString);
        secrets.push({
          ...common,
          secretString,
          versionId: versionIdOf(arn, secretString),
          createdAt: now(),
        });
        continue;
      }
      const spec = generateSpecOf(properties.GenerateSecretString, resolve);
      const key = `${stack.stackName}/${logicalId}`;
      const fingerprint = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
      let kept = state.secrets[key];
      if (kept === undefined || kept.spec !== fingerprint) {
        try {
          kept = {
            spec: fingerprint,
            value: generateSecretString(spec),
            versionId: randomUUID(),
            createdAt: now(),
          };
        } catch (error) {
          if (!(error instanceof GenerateSecretError)) throw error;
          throw new SecretConfigurationError(
            `GenerateSecretString of ${logicalId} (stack ${stack.stackName}): ${error.message}`,
          );
        }
        state.secrets[key] = kept;
        changed = true;
      }
      secrets.push({
        ...common,
        secretString: kept.value,
        versionId: kept.versionId,
        createdAt: kept.createdAt,
      });
    }
  }
  if (changed) await writeState(options.stateDir, file, state);
  return {
    secrets,
    find: (secretId) =>
      secrets.find(
        (secret) =>
          secret.arn === secretId ||
          secret.name === secretId ||
          secret.arn.slice(0, -ARN_SUFFIX_LENGTH) === secretId,
      ),
  };
}

/**
 * The generated secrets kept in `stateDir`, as `<stackName>/<logicalId>` → value: what `npm run token` signs
 * with when it talks to no runtime.
 *
 * @throws SecretConfigurationError for an unreadable state file.
 */
export async function keptSecrets(stateDir: string): Promise<ReadonlyMap<string, string>> {
  const state = await readState(join(stateDir, SECRETS_FILE));
  return new Map(Object.entries(state.secrets).map(([key, kept]) => [key, kept.value]));
}

/** A stable version id for a literal secret (a UUID-shaped hash of its ARN and value). */
function versionIdOf(arn: string, value: string): string {
  const hex = createHash('sha256').update(`${arn}\n${value}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const BOOLEAN_KEYS = [
  'ExcludeLowercase',
  'ExcludeUppercase',
  'ExcludeNumbers',
  'ExcludePunctuation',
  'IncludeSpace',
  'RequireEachIncludedType',
] as const;
const STRING_KEYS = ['ExcludeCharacters', 'SecretStringTemplate', 'GenerateStringKey'] as const;

/** The resolved `GenerateSecretString` (a secret with neither property gets Secrets Manager's defaults). */
function generateSpecOf(
  value: TemplateValue | undefined,
  resolve: (value: TemplateValue) => string,
): GenerateSecretStringSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const spec: Record<string, string | number | boolean> = {};
  for (const key of STRING_KEYS) {
    const raw = value[key];
    if (raw !== undefined) spec[key] = resolve(raw);
  }
  for (const key of BOOLEAN_KEYS) {
    const raw = value[key];
    if (raw !== undefined) spec[key] = raw === true || resolve(raw) === 'true';
  }
  if (value.PasswordLength !== undefined) spec.PasswordLength = Number(resolve(value.PasswordLength));
  return spec as GenerateSecretStringSpec;
}

async function readState(file: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { secrets: {} };
    throw new SecretConfigurationError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<StateFile>;
    if (typeof parsed.secrets !== 'object' || parsed.secrets === null) throw new Error('no "secrets" object');
    return { secrets: { ...parsed.secrets } };
  } catch (error) {
    throw new SecretConfigurationError(
      `${file} is not a state file (${(error as Error).message}): delete it to generate new secrets`,
    );
  }
}

/** Writes the state atomically (a rename), readable by the owner only: it holds signing keys. */
async function writeState(dir: string, file: string, state: StateFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
