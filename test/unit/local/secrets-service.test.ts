import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/constants.js';
import type { StackModel } from '../../../local/model.js';
import { secretsManagerService } from '../../../local/secrets/service.js';
import { loadSecrets, type SecretVault } from '../../../local/secrets/vault.js';
import { type RunningServices, startServices } from '../../../local/services/server.js';

const stack: StackModel = {
  stackName: 'Chat',
  apis: [],
  functions: new Map(),
  tables: [],
  resources: {
    AuthSecret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Description: 'signs tokens', GenerateSecretString: { ExcludePunctuation: true } },
    },
  },
};

let stateDir: string;
let services: RunningServices;
let vault: SecretVault;
let client: SecretsManagerClient;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'secrets-service-'));
  vault = await loadSecrets([stack], { region: 'us-east-1', apiPorts: new Map(), stateDir });
  services = await startServices({ host: '127.0.0.1' });
  services.register(secretsManagerService(vault));
  client = new SecretsManagerClient({
    endpoint: services.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await services.close();
  await rm(stateDir, { recursive: true, force: true });
});

const secret = () => {
  const found = vault.secrets[0];
  if (found === undefined) throw new Error('no secret');
  return found;
};

describe('secretsManagerService, through the SDK client', () => {
  it('GetSecretValue by ARN returns the secret string, its version and AWSCURRENT', async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secret().arn }));

    expect(out.SecretString).toBe(secret().secretString);
    expect(out.SecretString).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(out).toMatchObject({ ARN: secret().arn, Name: secret().name, VersionId: secret().versionId });
    expect(out.VersionStages).toEqual(['AWSCURRENT']);
    expect(out.CreatedDate).toBeInstanceOf(Date);
  });

  it('GetSecretValue by name works too', async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secret().name }));

    expect(out.SecretString).toBe(secret().secretString);
  });

  it('answers ResourceNotFoundException for an unknown secret or version stage', async () => {
    const missing = client.send(
      new GetSecretValueCommand({
        SecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf',
      }),
    );
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing).rejects.toThrow("Secrets Manager can't find the specified secret.");
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: secret().arn, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('DescribeSecret returns the metadata, never the value', async () => {
    const out = await client.send(new DescribeSecretCommand({ SecretId: secret().arn }));

    expect(out).toMatchObject({ ARN: secret().arn, Name: secret().name, Description: 'signs tokens' });
    expect(out.VersionIdsToStages).toEqual({ [secret().versionId]: ['AWSCURRENT'] });
    expect(JSON.stringify(out)).not.toContain(secret().secretString);
  });
});

describe('secretsManagerService, on the wire', () => {
  const post = (target: string, body: string) =>
    fetch(services.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });

  it('answers an AWS-shaped 400 for an operation it does not emulate, bad JSON and a missing SecretId', async () => {
    const unknown = await post('secretsmanager.PutSecretValue', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const badJson = await post('secretsmanager.GetSecretValue', '{');
    expect(await badJson.json()).toMatchObject({ __type: 'SerializationException' });

    const noId = await post('secretsmanager.GetSecretValue', '{}');
    expect(noId.status).toBe(400);
    expect(await noId.json()).toMatchObject({ __type: 'ValidationException' });
    expect(noId.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  });

  it('leaves other services alone', async () => {
    const other = await post('AmazonSQS.SendMessage', '{}');

    expect(await other.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(other.status).toBe(400);
  });
});
