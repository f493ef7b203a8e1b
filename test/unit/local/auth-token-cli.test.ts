import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { parseDuration, parseTokenOptions, runTokenCli } from '../../../local/auth/token-cli.js';
import type { StackModel } from '../../../local/model.js';
import { loadSecrets } from '../../../local/secrets/vault.js';

const stack = (logicalIds: string[]): StackModel => ({
  stackName: 'Chat',
  apis: [],
  functions: new Map(),
  tables: [],
  resources: Object.fromEntries(
    logicalIds.map((id) => [
      id,
      { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } },
    ]),
  ),
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

describe('parseTokenOptions', () => {
  it('turns --channels and --ops into channel grants, and keeps the other claims', () => {
    const options = parseTokenOptions([
      '--sub',
      'alice',
      '--channels',
      'game-*, lobby',
      '--ops',
      'subscribe,publish',
      '--name',
      'Alice',
      '--broadcast',
      '--users',
      'bob,team-*',
      '--ttl',
      '30m',
    ]);

    expect(options.claims).toEqual({
      sub: 'alice',
      name: 'Alice',
      channels: { 'game-*': ['subscribe', 'publish'], lobby: ['subscribe', 'publish'] },
      broadcast: true,
      users: ['bob', 'team-*'],
    });
    expect(options.ttlSeconds).toBe(1800);
    expect(options.source).toEqual({ kind: 'local', stateDir: '.realtime-local' });
  });

  it('grants every operation by default, for 1 h', () => {
    const options = parseTokenOptions(['--sub', 'alice', '--channels', 'game-*']);

    expect(options.claims.channels).toEqual({ 'game-*': ['*'] });
    expect(options.ttlSeconds).toBe(3600);
  });

  it('reads --secret-arn with the region of the ARN unless --region says otherwise', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AuthSecret-AbCdEf';

    expect(parseTokenOptions(['--sub', 'a', '--secret-arn', arn]).source).toEqual({
      kind: 'secretsManager',
      arn,
      region: 'eu-west-1',
    });
    expect(
      parseTokenOptions(['--sub', 'a', '--secret-arn', arn, '--region', 'us-east-2']).source,
    ).toMatchObject({
      region: 'us-east-2',
    });
  });

  it.each([
    [[], '--sub is required'],
    [['--sub', 'not ok'], '--sub must match'],
    [['--sub', 'a', '--ops', 'subscribe'], '--ops subscribe needs --channels'],
    [['--sub', 'a', '--channels', 'x', '--ops', 'subscribe,fly'], '--ops takes subscribe, publish'],
    [['--sub', 'a', '--channels', ','], '--channels needs at least one'],
    [['--sub', 'a', '--channels', 'a*b'], 'may only end with *'],
    [['--sub', 'a', '--ttl', '1w'], '--ttl must be a duration'],
    [['--sub', 'a', '--secret-arn', 'nope'], '--secret-arn must be a Secrets Manager secret ARN'],
    [['--sub', 'a', '--region', 'eu-west-1'], 'only applies to --secret-arn'],
    [['--sub', 'a', '--colour', 'red'], "Unknown option '--colour'"],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseTokenOptions(argv)).toThrow(message);
  });

  it('parses durations', () => {
    expect([parseDuration('90'), parseDuration('90s'), parseDuration('2h'), parseDuration('7d')]).toEqual([
      90, 90, 7200, 604_800,
    ]);
    expect(() => parseDuration('0')).toThrow();
  });
});

describe('runTokenCli', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'token-cli-'));
  });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  it('signs with the local runtime secret kept in the state dir and prints only the token on stdout', async () => {
    const vault = await loadSecrets([stack(['AuthSecret'])], {
      region: 'us-east-1',
      apiPorts: new Map(),
      stateDir,
    });
    const { out, err, io } = capture();

    const code = await runTokenCli(['--sub', 'alice', '--channels', 'game-*', '--state-dir', stateDir], io);

    expect(code).toBe(0);
    const token = out.join('').trim();
    const secret = new TextEncoder().encode(vault.secrets[0]?.secretString ?? '');
    const { payload } = await jwtVerify(token, secret);
    expect(payload).toMatchObject({ sub: 'alice', channels: { 'game-*': ['*'] } });
    expect(err.join('')).toContain('token for alice');
  });

  it('explains what to do when there is no local secret', async () => {
    const { out, err, io } = capture();

    const code = await runTokenCli(['--sub', 'alice', '--state-dir', join(stateDir, 'empty')], io);

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/No local secret .*run npm start once/);
  });

  it('prints the usage for --help', async () => {
    const { out, io } = capture();

    expect(await runTokenCli(['--help'], io)).toBe(0);
    expect(out.join('')).toContain('Usage: npm run token');
  });

  describe('with --secret-arn', () => {
    const sm = mockClient(SecretsManagerClient);
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AuthSecret-AbCdEf';
    beforeEach(() => sm.reset());

    it('reads the deployed secret through Secrets Manager in the ARN region', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: 'deployed-secret' });
      const regions: string[] = [];
      const { out, io } = capture();

      const code = await runTokenCli(['--sub', 'bob', '--secret-arn', arn], {
        ...io,
        secretsManager: (region) => {
          regions.push(region);
          return new SecretsManagerClient({ region });
        },
      });

      expect(code).toBe(0);
      expect(regions).toEqual(['eu-west-1']);
      expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: arn });
      await jwtVerify(out.join('').trim(), new TextEncoder().encode('deployed-secret'));
      expect(decodeJwt(out.join('').trim()).sub).toBe('bob');
    });

    it('names the secret and the AWS error when it cannot be read', async () => {
      sm.on(GetSecretValueCommand).rejects(
        Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
      );
      const { err, io } = capture();

      const code = await runTokenCli(['--sub', 'bob', '--secret-arn', arn], {
        ...io,
        secretsManager: (region) => new SecretsManagerClient({ region }),
      });

      expect(code).toBe(1);
      expect(err.join('')).toContain(
        `Cannot read ${arn} from Secrets Manager (AccessDeniedException: not authorized)`,
      );
    });
  });
});
