import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocalDynamoClient } from '../../local/dynamodb/index.js';
import type { InvocationLog } from '../../local/model.js';
import { NoWebSocketApiError, type RunningRuntime, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

/** The echo fixture (any CDK app, not the product) served by startRuntime on random ports, with dynalite. */
describe('startRuntime (echo fixture)', () => {
  let runtime: RunningRuntime;

  const api = (name: string) => {
    const found = runtime.apis.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no API ${name} in ${JSON.stringify(runtime.apis)}`);
    return found;
  };

  beforeAll(async () => {
    runtime = await startRuntime({ cdkOut: inject('fixtureAssembly'), port: 0 });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('serves every WebSocket API of the assembly on its own 127.0.0.1 port', () => {
    // Assess
    expect(runtime.apis.map(({ stackName, name, stage }) => ({ stackName, name, stage }))).toEqual([
      { stackName: 'EchoFixture', name: 'echo-fixture', stage: 'dev' },
      { stackName: 'EchoFixture', name: 'echo-fixture-auth', stage: 'prod' },
    ]);
    const [first, second] = runtime.apis;
    expect(first?.port).not.toBe(second?.port);
    expect(first?.url).toBe(`ws://127.0.0.1:${first?.port}`);
    expect(first?.managementUrl).toBe(`http://127.0.0.1:${first?.port}/dev`);
    expect(runtime.dynamodb.engine).toBe('dynalite');
    expect(runtime.dynamodb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates the template table with its GSI', async () => {
    // Prepare
    const [table] = runtime.tables;
    const db = createLocalDynamoClient(runtime.dynamodb.endpoint);
    // Act
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table?.tableName }));
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: table?.tableName }));
    db.destroy();
    // Assess
    expect(table?.tableName).toMatch(/^EchoFixture-Items/);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byOwner']);
    // dynalite has no UpdateTimeToLive: the runtime's sweeper stands in for it.
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('echoes a message through the route function and closes cleanly', async () => {
    // Prepare
    const client = await TestClient.open(`${api('echo-fixture').url}/dev`);
    // Act
    client.send({ action: 'echo', text: 'hi' });
    const reply = await client.next();
    await client.close();
    // Assess
    const event = reply.json as { requestContext: { routeKey: string; stage: string }; body: string };
    expect(event.requestContext).toMatchObject({ routeKey: 'echo', stage: 'dev' });
    expect(JSON.parse(event.body)).toEqual({ action: 'echo', text: 'hi' });
  });

  it('points function environments at the local gateway and table', async () => {
    // Prepare
    const echo = api('echo-fixture');
    const client = await TestClient.open(echo.url);
    // Act
    client.send({ action: 'env' });
    const reply = await client.next();
    await client.close();
    // Assess
    expect(reply.json).toMatchObject({
      CALLBACK_URL: echo.managementUrl,
      TABLE_NAME: runtime.tables[0]?.tableName,
      GREETING: 'hello',
    });
  });
});

describe('startRuntime close()', () => {
  it('closes open sockets with 1001 and runs their $disconnect before stopping', async () => {
    // Prepare
    const invocations: InvocationLog[] = [];
    const runtime = await startRuntime({
      cdkOut: inject('fixtureAssembly'),
      port: 0,
      onInvocation: (log) => invocations.push(log),
    });
    const client = await TestClient.open(runtime.apis[0]?.url ?? '');
    // Act
    await runtime.close();
    await runtime.close();
    const closed = await client.closed;
    // Assess
    expect(closed.code).toBe(1001);
    expect(invocations.filter((log) => log.routeKey === '$disconnect')).toHaveLength(1);
    await expect(TestClient.open(runtime.apis[0]?.url ?? '')).rejects.toThrow();
  });

  it('fails with NoWebSocketApiError for an assembly without a WebSocket API', async () => {
    // Prepare: a one-stack assembly whose template has no resources.
    const dir = await mkdtemp(join(tmpdir(), 'no-api-'));
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({
        version: '48.0.0',
        artifacts: {
          Empty: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Empty.template.json' } },
        },
      }),
    );
    await writeFile(join(dir, 'Empty.template.json'), JSON.stringify({ Resources: {} }));
    // Act / Assess
    try {
      await expect(startRuntime({ cdkOut: dir, port: 0 })).rejects.toThrow(NoWebSocketApiError);
      await expect(startRuntime({ cdkOut: dir, port: 0 })).rejects.toThrow(
        `No WebSocket API (AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET) in ${dir}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
