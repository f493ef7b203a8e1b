import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localApiId } from '../../../local/assembly/api-id.js';
import { AssemblyError } from '../../../local/assembly/errors.js';
import { loadAssembly } from '../../../local/assembly/load.js';
import type { AppModel, StackModel, WebSocketApiModel } from '../../../local/model.js';
import { AUTH_STAGE, ECHO_STACK_NAME, ECHO_STAGE, synthFixture } from '../../fixtures/echo-app/synth.js';

const SYNTH_TIMEOUT_MS = 120_000;

let scratch: string;
let app: AppModel;
let stack: StackModel;

const apiNamed = (name: string): WebSocketApiModel => {
  const api = stack.apis.find((candidate) => candidate.name === name);
  if (api === undefined) throw new Error(`no API ${name}`);
  return api;
};

/** Writes a minimal assembly: a manifest listing the given artifacts, plus files (path → JSON). */
async function writeAssembly(
  dir: string,
  artifacts: object,
  files: Record<string, unknown> = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const stackArtifact = (templateFile: string, stackName?: string) => ({
  type: 'aws:cloudformation:stack',
  environment: 'aws://unknown-account/unknown-region',
  properties: { templateFile, ...(stackName === undefined ? {} : { stackName }) },
});

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'assembly-load-'));
  app = await loadAssembly(await synthFixture(join(scratch, 'echo')));
  const echo = app.stacks.find((candidate) => candidate.stackName === ECHO_STACK_NAME);
  if (echo === undefined) throw new Error('fixture stack missing');
  stack = echo;
}, SYNTH_TIMEOUT_MS);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loadAssembly', () => {
  describe('with the echo fixture app', () => {
    it('finds the one stack of the assembly, with an absolute assembly dir', () => {
      expect(app.stacks.map((candidate) => candidate.stackName)).toEqual([ECHO_STACK_NAME]);
      expect(app.assemblyDir).toBe(join(scratch, 'echo'));
    });

    it('reads both WebSocket APIs with their stage and route selection expression', () => {
      expect(stack.apis.map((api) => [api.name, api.stageName, api.routeSelectionExpression])).toEqual([
        ['echo-fixture', ECHO_STAGE, '$request.body.action'],
        ['echo-fixture-auth', AUTH_STAGE, '$request.body.action'],
      ]);
    });

    it('derives each apiId from the stack name and logical id', () => {
      for (const api of stack.apis) expect(api.apiId).toBe(localApiId(ECHO_STACK_NAME, api.logicalId));
      expect(new Set(stack.apis.map((api) => api.apiId)).size).toBe(2);
    });

    it('reads the stage throttling settings when the stage has them', () => {
      expect(apiNamed('echo-fixture').throttle).toEqual({ rateLimit: 100, burstLimit: 50 });
      expect(apiNamed('echo-fixture-auth').throttle).toBeUndefined();
      expect(apiNamed('echo-fixture').stageLogicalId).toMatch(/^EchoStage/);
    });

    it('marks exactly the routes with a route response as two-way', () => {
      const twoWay = Object.fromEntries(
        apiNamed('echo-fixture').routes.map((route) => [route.routeKey, route.twoWay]),
      );
      expect(twoWay).toEqual({
        $connect: false,
        $disconnect: false,
        echo: true,
        boom: true,
        oneway: false,
        slow: true,
        env: true,
      });
    });

    it('joins each route to the function its integration invokes', () => {
      const echoRoute = apiNamed('echo-fixture').routes.find((route) => route.routeKey === 'echo');
      const authEchoRoute = apiNamed('echo-fixture-auth').routes.find((route) => route.routeKey === 'echo');
      expect(echoRoute?.functionId).toMatch(/^EchoFn/);
      expect(authEchoRoute?.functionId).toBe(echoRoute?.functionId);
      for (const api of stack.apis) {
        for (const route of api.routes) expect(stack.functions.has(route.functionId)).toBe(true);
      }
    });

    it('attaches the Lambda REQUEST authorizer to $connect of the second API only', () => {
      const connect = apiNamed('echo-fixture-auth').routes.find((route) => route.routeKey === '$connect');
      expect(connect?.authorizer).toEqual({
        logicalId: expect.stringMatching(/^AuthApiTokenAuthorizer/),
        name: 'TokenAuthorizer',
        functionId: expect.stringMatching(/^AuthorizerFn/),
        identitySources: ['route.request.querystring.token'],
      });
      expect(apiNamed('echo-fixture').routes.some((route) => route.authorizer !== undefined)).toBe(false);
    });

    it('has no custom $default route', () => {
      expect(stack.apis.flatMap((api) => api.routes).some((route) => route.routeKey === '$default')).toBe(
        false,
      );
    });

    it('reads every function with an existing bundled asset directory', () => {
      expect(stack.functions.size).toBe(8);
      for (const fn of stack.functions.values()) {
        expect(fn.handler).toBe('index.handler');
        expect(fn.runtime).toBe('nodejs22.x');
        expect(existsSync(join(fn.codeDir, 'index.mjs'))).toBe(true);
        expect(fn.functionName).toBe(`${ECHO_STACK_NAME}-${fn.logicalId}`);
      }
    });

    it('applies Lambda defaults and the configured timeout, memory and reserved concurrency', () => {
      const byPrefix = (prefix: string) =>
        [...stack.functions.values()].find((fn) => fn.logicalId.startsWith(prefix));
      expect(byPrefix('EchoFn')).toMatchObject({ timeoutSeconds: 3, memoryMB: 128 });
      expect(byPrefix('EchoFn')?.reservedConcurrency).toBeUndefined();
      expect(byPrefix('SlowFn')?.timeoutSeconds).toBe(1);
      expect(byPrefix('EnvFn')?.memoryMB).toBe(256);
      expect(byPrefix('BoomFn')?.reservedConcurrency).toBe(2);
    });

    it('keeps environment variables unresolved', () => {
      const env = [...stack.functions.values()].find((fn) => fn.logicalId.startsWith('EnvFn'))?.environment;
      expect(env?.GREETING).toBe('hello');
      expect(env?.TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^Items/) });
      expect(env?.CALLBACK_URL).toHaveProperty(['Fn::Join']);
    });

    it('reads the table with its keys, index and TTL, named after the stack', () => {
      expect(stack.tables).toHaveLength(1);
      const [table] = stack.tables;
      expect(table?.tableName).toBe(`${ECHO_STACK_NAME}-${table?.logicalId}`);
      expect(table?.keySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table?.attributeDefinitions).toContainEqual({ AttributeName: 'owner', AttributeType: 'S' });
      expect(table?.globalSecondaryIndexes).toEqual([
        {
          IndexName: 'byOwner',
          KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
      expect(table?.localSecondaryIndexes).toEqual([]);
      expect(table?.ttlAttribute).toBe('ttl');
    });

    it('keeps the raw resources and parameters for resolving intrinsics', () => {
      expect(
        Object.values(stack.resources).some((resource) => resource.Type === 'AWS::ApiGatewayV2::Route'),
      ).toBe(true);
      expect(stack.parameters?.BootstrapVersion?.Type).toBe('AWS::SSM::Parameter::Value<String>');
    });
  });

  describe('with hand-written assemblies', () => {
    it('follows nested assemblies of CDK stages, resolving asset paths against the nested one', async () => {
      const root = join(scratch, 'nested');
      await writeAssembly(root, {
        Prod: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod' } },
      });
      await mkdir(join(root, 'asset.abc'), { recursive: true });
      await writeAssembly(
        join(root, 'assembly-Prod'),
        { ProdApp: stackArtifact('ProdApp.template.json', 'Prod-App') },
        {
          'ProdApp.template.json': {
            Resources: {
              Fn: {
                Type: 'AWS::Lambda::Function',
                Properties: {
                  Handler: 'index.handler',
                  Runtime: 'nodejs24.x',
                  FunctionName: 'explicit-name',
                },
                Metadata: { 'aws:asset:path': '../asset.abc' },
              },
              Table: {
                Type: 'AWS::DynamoDB::GlobalTable',
                Properties: {
                  TableName: 'global',
                  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
                  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
                },
              },
            },
          },
        },
      );
      const nested = await loadAssembly(root);
      expect(nested.stacks.map((candidate) => candidate.stackName)).toEqual(['Prod-App']);
      expect(nested.stacks[0]?.functions.get('Fn')).toMatchObject({
        codeDir: join(root, 'asset.abc'),
        functionName: 'explicit-name',
        runtime: 'nodejs24.x',
      });
      expect(nested.stacks[0]?.tables.map((table) => [table.tableName, table.ttlAttribute])).toEqual([
        ['global', undefined],
      ]);
    });

    it('finds a function asset by its S3 key when the template has no asset metadata', async () => {
      const root = join(scratch, 'no-metadata');
      await mkdir(join(root, 'asset.f00d'), { recursive: true });
      await writeAssembly(
        root,
        { App: stackArtifact('App.template.json') },
        {
          'App.template.json': {
            Resources: {
              Fn: {
                Type: 'AWS::Lambda::Function',
                Properties: { Handler: 'index.handler', Code: { S3Key: 'f00d.zip' } },
              },
              Inline: {
                Type: 'AWS::Lambda::Function',
                Properties: { Handler: 'index.handler', Code: { ZipFile: 'x' } },
              },
            },
          },
        },
      );
      const loaded = await loadAssembly(root);
      expect(loaded.stacks[0]?.stackName).toBe('App');
      expect(loaded.stacks[0]?.functions.get('Fn')?.codeDir).toBe(join(root, 'asset.f00d'));
      expect(loaded.stacks[0]?.functions.has('Inline')).toBe(false);
    });

    it('ignores HTTP APIs and non-Lambda integrations', async () => {
      const root = join(scratch, 'http');
      await writeAssembly(
        root,
        { App: stackArtifact('App.template.json') },
        {
          'App.template.json': {
            Resources: {
              Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'http', ProtocolType: 'HTTP' } },
              Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'ws', ProtocolType: 'WEBSOCKET' } },
              Mock: {
                Type: 'AWS::ApiGatewayV2::Integration',
                Properties: { ApiId: { Ref: 'Ws' }, IntegrationType: 'MOCK' },
              },
              Route: {
                Type: 'AWS::ApiGatewayV2::Route',
                Properties: { ApiId: { Ref: 'Ws' }, RouteKey: '$default', Target: 'integrations/abc' },
              },
            },
          },
        },
      );
      const [loaded] = (await loadAssembly(root)).stacks;
      expect(loaded?.apis.map((api) => [api.name, api.stageName, api.routes.length])).toEqual([
        ['ws', 'local', 0],
      ]);
    });
  });

  describe('errors', () => {
    it('fails with a hint when the directory does not exist', async () => {
      const missing = join(scratch, 'does-not-exist');
      await expect(loadAssembly(missing)).rejects.toThrow(
        `No cloud assembly at ${missing}: run 'npx cdk synth' first or pass --cdk-out`,
      );
    });

    it('fails with the same hint when the directory has no manifest', async () => {
      const empty = join(scratch, 'empty');
      await mkdir(empty, { recursive: true });
      await expect(loadAssembly(empty)).rejects.toBeInstanceOf(AssemblyError);
      await expect(loadAssembly(empty)).rejects.toThrow(
        /^No cloud assembly at .*empty: run 'npx cdk synth' first/,
      );
    });

    it('fails naming the manifest when it is not JSON', async () => {
      const root = join(scratch, 'bad-manifest');
      await mkdir(root, { recursive: true });
      await writeFile(join(root, 'manifest.json'), '{ nope');
      await expect(loadAssembly(root)).rejects.toThrow(
        /^Unreadable cloud assembly manifest .*manifest\.json/,
      );
    });

    it('fails naming the template when it is missing or not a template', async () => {
      const missing = await writeAssembly(join(scratch, 'missing-template'), {
        App: stackArtifact('App.template.json'),
      });
      await expect(loadAssembly(missing)).rejects.toThrow(/^Unreadable template .*App\.template\.json/);
      const noResources = await writeAssembly(
        join(scratch, 'no-resources'),
        { App: stackArtifact('App.template.json') },
        { 'App.template.json': { Outputs: {} } },
      );
      await expect(loadAssembly(noResources)).rejects.toThrow(/App\.template\.json: no Resources section$/);
    });
  });
});
