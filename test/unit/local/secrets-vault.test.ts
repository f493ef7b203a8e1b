import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StackModel } from '../../../local/model.js';
import { loadSecrets, SecretConfigurationError } from '../../../local/secrets/vault.js';

function stackWithSecrets(resources: StackModel['resources'], stackName = 'Chat'): StackModel {
  return { stackName, apis: [], functions: new Map(), tables: [], resources };
}

const stack = stackWithSecrets({
  Generated: {
    Type: 'AWS::SecretsManager::Secret',
    Properties: { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } },
  },
  Literal: {
    Type: 'AWS::SecretsManager::Secret',
    Properties: { Name: 'api-key', SecretString: { 'Fn::Join': ['', ['key-', { Ref: 'AWS::Region' }]] } },
  },
  Queue: { Type: 'AWS::SQS::Queue' },
});

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'secrets-vault-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const load = (stacks = [stack]) =>
  loadSecrets(stacks, { region: 'eu-west-1', apiPorts: new Map(), stateDir });

describe('loadSecrets', () => {
  it('serves a literal SecretString resolved, and generates GenerateSecretString as specified', async () => {
    const vault = await load();

    expect(vault.secrets.map((s) => s.logicalId)).toEqual(['Generated', 'Literal']);
    expect(vault.find('api-key')?.secretString).toBe('key-eu-west-1');
    expect(vault.secrets[0]?.secretString).toMatch(/^[A-Za-z0-9]{48}$/);
  });

  it('keeps a generated secret across restarts, in a file only its owner reads', async () => {
    const first = await load();
    const second = await load();

    expect(second.secrets[0]?.secretString).toBe(first.secrets[0]?.secretString);
    expect(second.secrets[0]?.versionId).toBe(first.secrets[0]?.versionId);
    expect((await stat(join(stateDir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(stateDir, 'secrets.json'), 'utf8')).toContain(first.secrets[0]?.secretString);
  });

  it('generates a new value when the GenerateSecretString spec changes', async () => {
    const first = await load();
    const changed = stackWithSecrets({
      Generated: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { GenerateSecretString: { PasswordLength: 20, ExcludePunctuation: true } },
      },
    });

    const second = await load([changed]);

    expect(second.secrets[0]?.secretString).toHaveLength(20);
    expect(second.secrets[0]?.secretString).not.toBe(first.secrets[0]?.secretString);
  });

  it('finds a secret by ARN, by partial ARN and by name, and nothing else', async () => {
    const vault = await load();
    const secret = vault.secrets[0];
    if (secret === undefined) throw new Error('no secret');

    expect(secret.arn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:Generated-\w{12}-\w{6}$/,
    );
    expect(vault.find(secret.arn)).toBe(secret);
    expect(vault.find(secret.arn.slice(0, -7))).toBe(secret);
    expect(vault.find(secret.name)).toBe(secret);
    expect(vault.find('Generated')).toBeUndefined();
  });

  it('names the secret of a spec Secrets Manager would refuse', async () => {
    const bad = stackWithSecrets({
      Bad: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { GenerateSecretString: { PasswordLength: 2 } },
      },
    });

    await expect(load([bad])).rejects.toThrow(SecretConfigurationError);
    await expect(load([bad])).rejects.toThrow(/GenerateSecretString of Bad \(stack Chat\)/);
  });

  it('refuses a state file that is not one, saying how to recover', async () => {
    await writeFile(join(stateDir, 'secrets.json'), 'not json');

    await expect(load()).rejects.toThrow(/delete it to generate new secrets/);
  });
});
