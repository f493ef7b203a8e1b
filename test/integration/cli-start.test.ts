import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestClient } from './helpers/ws-client.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Bound on one CLI run; start-up takes ~1–2 s here. */
const RUN_TIMEOUT_MS = 30_000;

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `local/cli.ts` the way `npm start` does (tsx), from the repository root. */
function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], { cwd: repoRoot, env });
}

/** Collects a CLI's output until it exits (killed after {@link RUN_TIMEOUT_MS}). */
function exitOf(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves with the first stdout match of `pattern` (rejects if the CLI exits or the deadline passes first). */
function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${RUN_TIMEOUT_MS} ms: ${seen}`)),
      RUN_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.once('close', () => reject(new Error(`the CLI exited before printing ${pattern}: ${seen}`)));
  });
}

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
    const [, url] = (await waitForOutput(cli, /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)\s/)) ?? [];
    const client = await TestClient.open(`${url}/dev`);
    client.send({ action: 'echo' });
    await client.next();
    // Act
    cli.kill('SIGINT');
    const result = await exit;
    const closed = await client.closed;
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Management\s+http:\/\/127\.0\.0\.1:\d+\/dev\/@connections/);
    expect(result.stdout).toMatch(
      /DynamoDB\s+http:\/\/127\.0\.0\.1:\d+\s+\(dynalite, in memory; table EchoFixture-Items/,
    );
    expect(result.stdout).toMatch(/\$connect\s+\S+\s+ConnectFn\S*\s+\d+ ms\s+200/);
    expect(result.stdout).toMatch(/\$disconnect\s+\S+\s+DisconnectFn\S*\s+\d+ ms\s+200/);
    expect(closed.code).toBe(1001);
    expect(result.stderr).toBe('');
  });
});
