import {
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { formatBanner, publishCommand } from '../../../local/cli/banner.js';
import { functionNameOf, type InvocableFunction, lambdaApiService } from '../../../local/lambda-api/index.js';
import type { InvokeResult } from '../../../local/model.js';
import type { RunningRuntime } from '../../../local/runtime.js';
import { type RunningServices, startServices } from '../../../local/services/server.js';

let services: RunningServices | undefined;
afterEach(async () => {
  await services?.close();
  services = undefined;
});

/** A function that records its events and answers `answer(event)`. */
const fakeFunction = (
  functionName: string,
  answer: (event: unknown) => InvokeResult | Promise<InvokeResult>,
): InvocableFunction & { events: unknown[] } => {
  const events: unknown[] = [];
  return {
    functionName,
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    events,
    invoke: async (event) => {
      events.push(event);
      return answer(event);
    },
  };
};

const echo = () =>
  fakeFunction('Stack-Publisher1', (event) => ({ ok: true, value: { got: event }, durationMs: 1 }));

/** The services endpoint with the Lambda API over `functions`, and a real SDK client pointed at it. */
const start = async (...functions: InvocableFunction[]) => {
  services = await startServices({ host: '127.0.0.1', port: 0 });
  services.register(lambdaApiService({ functions: () => functions, region: 'eu-west-1' }));
  const client = new LambdaClient({
    endpoint: services.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return client;
};

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decoded = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

describe('local Lambda Invoke API', () => {
  it('invokes a function by name (RequestResponse) and returns its result', async () => {
    const fn = echo();
    const client = await start(fn);

    const result = await client.send(
      new InvokeCommand({
        FunctionName: 'Stack-Publisher1',
        Payload: payload({ channel: 'lobby', data: 1 }),
      }),
    );

    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(decoded(result.Payload)).toEqual({ got: { channel: 'lobby', data: 1 } });
    expect(fn.events).toEqual([{ channel: 'lobby', data: 1 }]);
  });

  it.each([
    ['a full ARN', 'arn:aws:lambda:eu-west-1:000000000000:function:Stack-Publisher1'],
    ['a qualified ARN', 'arn:aws:lambda:eu-west-1:000000000000:function:Stack-Publisher1:$LATEST'],
    ['a partial ARN', '000000000000:function:Stack-Publisher1'],
  ])('finds the function by %s', async (_, FunctionName) => {
    const fn = echo();
    const client = await start(fn);

    const result = await client.send(new InvokeCommand({ FunctionName, Payload: payload({ n: 2 }) }));

    expect(decoded(result.Payload)).toEqual({ got: { n: 2 } });
  });

  it('reports a function error as X-Amz-Function-Error: Unhandled with the error JSON', async () => {
    const client = await start(
      fakeFunction('Broken', () => ({
        ok: false,
        kind: 'error',
        errorType: 'Error',
        errorMessage: 'DynamoDB is down',
        durationMs: 1,
      })),
    );

    const result = await client.send(new InvokeCommand({ FunctionName: 'Broken', Payload: payload({}) }));

    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(decoded(result.Payload)).toEqual({
      errorType: 'Error',
      errorMessage: 'DynamoDB is down',
      trace: [],
    });
  });

  it('answers 202 at once for an Event invocation and runs it in the background', async () => {
    let release: () => void = () => undefined;
    const ran = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fn = fakeFunction('Slow', async () => {
      release();
      return { ok: true, value: null, durationMs: 1 };
    });
    const client = await start(fn);

    const result = await client.send(
      new InvokeCommand({ FunctionName: 'Slow', InvocationType: 'Event', Payload: payload({ e: 1 }) }),
    );
    await ran;

    expect(result.StatusCode).toBe(202);
    expect(fn.events).toEqual([{ e: 1 }]);
  });

  it('answers 204 for a DryRun without invoking', async () => {
    const fn = echo();
    const client = await start(fn);

    const result = await client.send(
      new InvokeCommand({ FunctionName: 'Stack-Publisher1', InvocationType: 'DryRun' }),
    );

    expect(result.StatusCode).toBe(204);
    expect(fn.events).toEqual([]);
  });

  it('answers 404 ResourceNotFoundException for an unknown function', async () => {
    const client = await start(echo());

    const error = await client.send(new InvokeCommand({ FunctionName: 'Nope', Payload: payload({}) })).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((error as Error).message).toContain(
      'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:Nope',
    );
  });

  it('answers 400 InvalidRequestContentException for a payload that is not JSON', async () => {
    const fn = echo();
    const client = await start(fn);

    await expect(
      client.send(
        new InvokeCommand({ FunctionName: 'Stack-Publisher1', Payload: new TextEncoder().encode('{nope') }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
    expect(fn.events).toEqual([]);
  });

  it('lists the functions with their ARNs', async () => {
    const client = await start(
      echo(),
      fakeFunction('Other', () => ({ ok: true, value: 1, durationMs: 0 })),
    );

    const result = await client.send(new ListFunctionsCommand({}));

    expect(result.Functions?.map((f) => [f.FunctionName, f.FunctionArn])).toEqual([
      ['Stack-Publisher1', 'arn:aws:lambda:eu-west-1:000000000000:function:Stack-Publisher1'],
      ['Other', 'arn:aws:lambda:eu-west-1:000000000000:function:Other'],
    ]);
  });
});

describe('functionNameOf', () => {
  it.each([
    ['plain', 'plain'],
    ['plain:alias', 'plain'],
    ['arn:aws:lambda:us-east-1:123456789012:function:fn', 'fn'],
    ['arn:aws:lambda:us-east-1:123456789012:function:fn:7', 'fn'],
    ['123456789012:function:fn', 'fn'],
  ])('reads %s as %s', (given, name) => {
    expect(functionNameOf(given)).toBe(name);
  });
});

describe('banner', () => {
  const runtime = (endpoint: string) =>
    ({
      apis: [
        {
          stackName: 'S',
          name: 'api',
          stage: 'prod',
          port: 3001,
          url: 'ws://127.0.0.1:3001',
          managementUrl: 'http://127.0.0.1:3001/prod',
        },
      ],
      tables: [],
      dynamodb: { engine: 'dynalite', endpoint: 'http://127.0.0.1:9' },
      services: { endpoint },
      queues: [],
      close: async () => undefined,
    }) as RunningRuntime;

  it('prints the services endpoint and a ready publish command', () => {
    const banner = formatBanner(runtime('http://127.0.0.1:3002'));

    expect(banner).toContain('Services    http://127.0.0.1:3002');
    expect(banner).toContain(`npm run publish -- --local --channel lobby --data '{"hello":"world"}'`);
  });

  it('adds --endpoint when the services are not on the default port', () => {
    expect(publishCommand(runtime('http://127.0.0.1:41000'))).toBe(
      `npm run publish -- --local --endpoint http://127.0.0.1:41000 --channel lobby --data '{"hello":"world"}'`,
    );
  });
});
