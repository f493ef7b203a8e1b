import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_ENDPOINT,
  findLocalPublisher,
  PublishUsageError,
  parsePublishOptions,
  runPublish,
} from '../../bin/publish-cli.js';

const lambda = mockClient(LambdaClient);
afterEach(() => {
  lambda.reset();
});

/** A response payload as the SDK types it (a Uint8Array that can also turn itself into a string). */
const bytes = (value: unknown) => {
  const text = JSON.stringify(value);
  return Object.assign(new TextEncoder().encode(text), {
    transformToString: () => text,
  });
};

describe('parsePublishOptions', () => {
  it('reads a local channel publish with the default endpoint and region', () => {
    expect(parsePublishOptions(['--local', '--channel', 'lobby', '--data', '{"hello":"world"}'], {})).toEqual(
      {
        help: false,
        payload: { channel: 'lobby', data: { hello: 'world' } },
        functionName: undefined,
        region: 'us-east-1',
        endpoint: DEFAULT_LOCAL_ENDPOINT,
      },
    );
  });

  it('reads a direct message to a user against AWS with a function name and region', () => {
    expect(
      parsePublishOptions(
        ['--user', 'alice', '--data', '"hi"', '--function-name', 'Fn', '--region', 'eu-west-1'],
        {},
      ),
    ).toEqual({
      help: false,
      payload: { user: 'alice', data: 'hi' },
      functionName: 'Fn',
      region: 'eu-west-1',
      endpoint: undefined,
    });
  });

  it('takes the region from AWS_REGION, and --endpoint implies --local', () => {
    const options = parsePublishOptions(
      ['--endpoint', 'http://127.0.0.1:4002', '--channel', 'c', '--data', '1'],
      { AWS_REGION: 'ap-south-1' },
    );
    expect(options).toMatchObject({ endpoint: 'http://127.0.0.1:4002', region: 'ap-south-1' });
  });

  it.each([
    [['--data', '1'], 'give exactly one of --channel NAME and --user ID'],
    [['--channel', 'a', '--user', 'b', '--data', '1'], 'give exactly one of --channel NAME and --user ID'],
    [['--local', '--channel', 'a'], /--data JSON is required/],
    [
      ['--local', '--channel', 'a', '--data', 'hi'],
      '--data must be JSON (a string needs its quotes: --data \'"hi"\'), got "hi"',
    ],
    [
      ['--channel', 'a', '--data', '1', '--region', 'eu-west-1'],
      /--function-name NAME is required against AWS/,
    ],
    [
      ['--channel', 'a', '--data', '1', '--function-name', 'F'],
      '--region REGION is required (or set AWS_REGION)',
    ],
    [
      ['--endpoint', 'ftp://x', '--channel', 'a', '--data', '1'],
      '--endpoint must be an http(s) URL, got "ftp://x"',
    ],
    [['--chanel', 'a'], /Unknown option '--chanel'. Run with --help/],
  ])('refuses %j', (argv, message) => {
    expect(() => parsePublishOptions(argv, {})).toThrow(PublishUsageError);
    expect(() => parsePublishOptions(argv, {})).toThrow(message);
  });
});

describe('runPublish', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPublish(
      argv,
      {},
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
      () => new LambdaClient({ region: 'us-east-1' }),
    );
    return { code, out: out.join(''), err: err.join('') };
  };

  it('finds the local publisher by listing, invokes it with the payload and prints the result', async () => {
    lambda.on(ListFunctionsCommand).resolves({
      Functions: [
        { FunctionName: 'S-RealtimeApiConnectRouteFunction1' },
        { FunctionName: 'S-RealtimeApiPublisherHandler2' },
      ],
    });
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: bytes({ seq: 3, delivered: 2, gone: 0, failed: 0 }) });

    const { code, out } = await run(['--local', '--channel', 'lobby', '--data', '{"a":1}']);

    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ seq: 3, delivered: 2, gone: 0, failed: 0 });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('S-RealtimeApiPublisherHandler2');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      channel: 'lobby',
      data: { a: 1 },
    });
  });

  it("exits 1 with the publisher's error when it refuses the payload", async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: bytes({ error: 'INVALID_CHANNEL', message: 'bad' }) });

    const { code, err } = await run(['--local', '--function-name', 'F', '--channel', 'a', '--data', '1']);

    expect(code).toBe(1);
    expect(err).toBe('publish failed: the publisher refused the payload: INVALID_CHANNEL: bad\n');
  });

  it('exits 1 with the error message of a function error', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: bytes({ errorType: 'Error', errorMessage: 'table missing' }),
    });

    const { code, err } = await run(['--local', '--function-name', 'F', '--user', 'alice', '--data', '1']);

    expect(code).toBe(1);
    expect(err).toBe('publish failed: F failed (Unhandled): table missing\n');
  });

  it('exits 2 with the usage error, and 0 with the help', async () => {
    expect((await run(['--channel', 'a'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: npm run publish');
  });
});

describe('findLocalPublisher', () => {
  it('refuses when no function or several look like the publisher', async () => {
    lambda.on(ListFunctionsCommand).resolvesOnce({ Functions: [{ FunctionName: 'A' }] });
    await expect(findLocalPublisher(new LambdaClient({ region: 'us-east-1' }))).rejects.toThrow(
      'no publisher function among 1 function(s) (A); pass --function-name',
    );
    lambda
      .on(ListFunctionsCommand)
      .resolves({ Functions: [{ FunctionName: 'XPublisher1' }, { FunctionName: 'YPublisher2' }] });
    await expect(findLocalPublisher(new LambdaClient({ region: 'us-east-1' }))).rejects.toThrow(
      'several publisher functions (XPublisher1, YPublisher2); pass --function-name',
    );
  });
});
