import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitOf, hostRuntimeWarnings, spawnToken, startCli, waitForOutput } from './helpers/cli.js';
import { TestClient } from './helpers/ws-client.js';

describe('npm start (local/cli.ts)', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cli-test-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('prints its options and exits 0 with --help', async () => {
    // Act
    const result = await exitOf(startCli(['--help']));
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--cdk-out DIR');
    expect(result.stdout).toContain('--dynamodb dynalite|local');
    expect(result.stderr).toBe('');
  });

  it('fails with one line and exit 1 when --cdk-out holds no assembly', async () => {
    // Act
    const result = await exitOf(startCli(['--cdk-out', scratch, '--port', '0']));
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: No cloud assembly at .*--cdk-out\n$/);
  });

  it('fails with one line and exit 1 when the assembly has no WebSocket API', async () => {
    // Prepare: a one-stack assembly whose template has no resources.
    const dir = await mkdtemp(join(scratch, 'no-api-'));
    const stack = { type: 'aws:cloudformation:stack', properties: { templateFile: 'Empty.json' } };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ artifacts: { Empty: stack } }));
    await writeFile(join(dir, 'Empty.json'), JSON.stringify({ Resources: {} }));
    // Act
    const result = await exitOf(startCli(['--cdk-out', dir, '--port', '0']));
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Error: No WebSocket API (AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET) in ${dir}\n`,
    );
  });

  it('fails with one line and exit 1 when the port is in use', async () => {
    // Prepare
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    // Act
    const result = await exitOf(startCli(['--cdk-out', inject('fixtureAssembly'), '--port', String(port)]));
    await new Promise((resolve) => blocker.close(resolve));
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^Error: Port ${port} on 127\\.0\\.0\\.1 is already in use\\.[^\\n]*--port[^\\n]*\\n$`),
    );
  });

  it('fails with one line and exit 1 when --dynamodb local finds no Java', async () => {
    // Act: a PATH without java (node is started by its absolute path).
    const result = await exitOf(
      startCli(['--cdk-out', inject('fixtureAssembly'), '--port', '0', '--dynamodb', 'local'], {
        ...process.env,
        PATH: scratch,
      }),
    );
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: --dynamodb local needs Java 17[^\n]*--dynamodb dynalite\)\n$/);
  });

  it('serves the assembly on a random port, then runs $disconnect and exits 0 on SIGINT', async () => {
    // Prepare
    const cli = startCli(['--cdk-out', inject('fixtureAssembly'), '--port', '0']);
    const exit = exitOf(cli);
    const [, url, managementUrl] =
      (await waitForOutput(
        cli,
        /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)\s[\s\S]*?Management\s+(http:\/\/\S+)\s/,
      )) ?? [];
    const client = await TestClient.open(`${url}/dev`);
    client.send({ action: 'echo' });
    const echoed = (await client.next()).json as { requestContext: { connectionId: string } };
    // The banner's Management URL is the SDK endpoint, as the stack's ManagementUrl output is in AWS.
    const sdk = new ApiGatewayManagementApiClient({
      endpoint: managementUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await sdk.send(
      new PostToConnectionCommand({ ConnectionId: echoed.requestContext.connectionId, Data: 'via the SDK' }),
    );
    expect((await client.next((_json, raw) => raw === 'via the SDK')).raw).toBe('via the SDK');
    sdk.destroy();
    // Act
    cli.kill('SIGINT');
    const result = await exit;
    const closed = await client.closed;
    // Assess
    expect(result.code).toBe(0);
    expect(managementUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/);
    expect(result.stdout).toMatch(
      /Management\s+http:\/\/127\.0\.0\.1:\d+\/dev\s+\(the ApiGatewayManagementApiClient endpoint; paths \/@connections\/\{id\}\)/,
    );
    expect(result.stdout).toMatch(
      /DynamoDB\s+http:\/\/127\.0\.0\.1:\d+\s+\(dynalite, in memory; table EchoFixture-Items/,
    );
    expect(result.stdout).toMatch(/\$connect\s+\S+\s+ConnectFn\S*\s+\d+ ms\s+200/);
    expect(result.stdout).toMatch(/\$disconnect\s+\S+\s+DisconnectFn\S*\s+\d+ ms\s+200/);
    expect(closed.code).toBe(1001);
    expect(result.stderr).toBe(hostRuntimeWarnings(result.stderr));
  });

  it('with auth on, prints a dev token and a wscat line that connects, and npm run token signs with the same key', async () => {
    // Prepare
    const stateDir = join(scratch, 'state');
    const cli = startCli([
      '--cdk-out',
      inject('productAssembly'),
      '--port',
      '0',
      '--no-demo',
      '--state-dir',
      stateDir,
    ]);
    const exit = exitOf(cli);
    const [, wscatUrl] =
      (await waitForOutput(cli, /Try: npx wscat -c '(ws:\/\/127\.0\.0\.1:\d+\?token=[\w.-]+)'/)) ?? [];
    // Act
    const dev = await TestClient.open(wscatUrl ?? '');
    const subscribed = await dev.request({ action: 'subscribe', channel: 'lobby' }, 'subscribed');
    const minted = await exitOf(
      spawnToken(['--sub', 'alice', '--channels', 'game-*', '--ops', 'subscribe', '--state-dir', stateDir]),
    );
    const alice = await TestClient.open(
      (wscatUrl ?? '').replace(/token=[\w.-]+/, `token=${minted.stdout.trim()}`),
    );
    const allowed = await alice.request({ action: 'subscribe', channel: 'game-7' }, 'subscribed');
    const refused = await alice.request({ action: 'publish', channel: 'game-7', data: 1 }, 'error');
    cli.kill('SIGINT');
    const result = await exit;
    // Assess
    expect(subscribed).toMatchObject({ channel: 'lobby' });
    expect(minted.code).toBe(0);
    expect(allowed).toMatchObject({ channel: 'game-7' });
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Dev token\s+eyJ\S+\s+\(user dev, every grant, valid 24 h; npm run token mints others\)/,
    );
    expect(result.stdout).toMatch(/\$connect\s+\S+\s+\S*Authorizer\S*\s+\d+ ms\s+200/);
  });
});
