import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StrangerProject, synthStranger } from '../fixtures/stranger-app/synth.js';
import { exitOf, hostRuntimeWarnings, startCli, waitForOutput } from './helpers/cli.js';
import { TestClient } from './helpers/ws-client.js';

/**
 * "Any CDK app": a project this repository never saw, with CDK's bundling defaults (CommonJS, AWS SDK left
 * external) inside a `"type": "module"` package, served with `npm start -- --cdk-out` and no change to the app.
 */
describe('npm start -- --cdk-out <a new user’s app>', () => {
  let project: StrangerProject;

  beforeAll(async () => {
    project = await synthStranger();
  });

  afterAll(async () => {
    await rm(project.dir, { recursive: true, force: true });
  });

  it('serves a CommonJS, SDK-external bundle from a "type": "module" project and answers through the SDK', async () => {
    // Prepare
    const cli = startCli(['--cdk-out', project.cdkOut, '--port', '0']);
    const exit = exitOf(cli);
    const [, url] = (await waitForOutput(cli, /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)\s/)) ?? [];
    const client = await TestClient.open(`${url}/live`);
    // Act
    client.send('hello, stranger');
    const reply = (await client.next((json) => json.hello !== undefined)).json as Record<string, string>;
    await client.close();
    cli.kill('SIGINT');
    const result = await exit;
    // Assess
    expect(reply).toMatchObject({ hello: 'from a stranger', echo: 'hello, stranger', format: 'commonjs' });
    expect(reply.cwd?.startsWith(project.dir)).toBe(false);
    expect(result.stdout).toMatch(/\$default\s+\S+\s+Hello\S*\s+\d+ ms\s+200/);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(hostRuntimeWarnings(result.stderr));
  });
});
