/**
 * `npm run publish`: publishes from a terminal or a script through the publisher function (Lambda `Invoke`
 * with `@aws-sdk/client-lambda`), against AWS or the offline runtime (`--local`). The options are parsed here,
 * apart from the process, so they can be tested; `bin/publish.ts` is the entry point.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import {
  InvokeCommand,
  type LambdaClient,
  ListFunctionsCommand,
  type ListFunctionsCommandOutput,
} from '@aws-sdk/client-lambda';

/** Where `--local` looks for the runtime's Lambda API (`npm start`'s services endpoint). */
export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:3002';

/** `--help` text. */
export const PUBLISH_USAGE = `Usage: npm run publish -- (--channel NAME | --user ID) --data JSON [options]

Publishes through the stack's publisher function (Lambda Invoke):
  --channel NAME          publish to a channel, like a client's publish (author "server")
  --user ID               send a direct message to every open connection of a user
  --data JSON             the payload, as JSON (a string needs its quotes: --data '"hi"')
  --function-name NAME    the publisher function (the stack's PublishFunctionName output); with --local,
                          found by listing the functions when omitted
  --region REGION         the function's region (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1 with --local)
  --local                 use the offline runtime (npm start) at ${DEFAULT_LOCAL_ENDPOINT}
  --endpoint URL          use the Lambda API at URL (implies --local)
  -h, --help              show this help
`;

/** A command-line mistake: the message says which option and value. */
export class PublishUsageError extends Error {
  override readonly name = 'PublishUsageError';
}

/** What the command line asks for. */
export interface PublishOptions {
  readonly help: boolean;
  /** The publisher's payload: `{ channel, data }` or `{ user, data }`. */
  readonly payload:
    | { readonly channel: string; readonly data: unknown }
    | { readonly user: string; readonly data: unknown };
  readonly functionName: string | undefined;
  readonly region: string | undefined;
  /** The Lambda API to call; undefined = AWS. */
  readonly endpoint: string | undefined;
}

/**
 * Parses `argv` (without `node` and the script) and the environment.
 *
 * @throws PublishUsageError naming the option.
 * @example
 * parsePublishOptions(['--local', '--channel', 'lobby', '--data', '{"hello":"world"}'], {});
 */
export function parsePublishOptions(argv: readonly string[], env: NodeJS.ProcessEnv = {}): PublishOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    const first = (error as Error).message.split(/\.\s|\n/)[0]?.replace(/\.$/, '') ?? 'Bad arguments';
    throw new PublishUsageError(`${first}. Run with --help for the options.`);
  }
  const local = values.local === true || values.endpoint !== undefined;
  const region =
    values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  const base = {
    functionName: values['function-name'],
    region,
    endpoint: values.endpoint ?? (local ? DEFAULT_LOCAL_ENDPOINT : undefined),
  };
  if (values.help === true) return { help: true, payload: { channel: '', data: null }, ...base };
  const { channel, user } = values;
  if ((channel === undefined) === (user === undefined)) {
    throw new PublishUsageError('give exactly one of --channel NAME and --user ID');
  }
  if (values.data === undefined) {
    throw new PublishUsageError('--data JSON is required, e.g. --data \'{"hello":"world"}\'');
  }
  let data: unknown;
  try {
    data = JSON.parse(values.data);
  } catch {
    throw new PublishUsageError(
      `--data must be JSON (a string needs its quotes: --data '"hi"'), got ${JSON.stringify(values.data)}`,
    );
  }
  if (values.endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(values.endpoint)) {
    throw new PublishUsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(values.endpoint)}`);
  }
  if (!local && base.functionName === undefined) {
    throw new PublishUsageError(
      "--function-name NAME is required against AWS: the stack's PublishFunctionName output " +
        '(or pass --local for the offline runtime)',
    );
  }
  if (!local && region === undefined) {
    throw new PublishUsageError('--region REGION is required (or set AWS_REGION)');
  }
  return {
    help: false,
    payload: channel !== undefined ? { channel, data } : { user: user ?? '', data },
    ...base,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      channel: { type: 'string' },
      user: { type: 'string' },
      data: { type: 'string' },
      'function-name': { type: 'string' },
      region: { type: 'string' },
      local: { type: 'boolean' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** A failure to report: the message is what the user reads. */
export class PublishFailure extends Error {
  override readonly name = 'PublishFailure';
}

/**
 * The local publisher: the one function whose name contains `Publisher` (its construct path is
 * `RealtimeApi/Publisher/Handler`, so the local name `<stack>-RealtimeApiPublisherHandler…` does).
 *
 * @throws PublishFailure when there is none, or more than one.
 */
export async function findLocalPublisher(client: Pick<LambdaClient, 'send'>): Promise<string> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page: ListFunctionsCommandOutput = await client.send(
      new ListFunctionsCommand(marker === undefined ? {} : { Marker: marker }),
    );
    names.push(...(page.Functions ?? []).flatMap((fn) => (fn.FunctionName ? [fn.FunctionName] : [])));
    marker = page.NextMarker;
  } while (marker !== undefined);
  const publishers = names.filter((name) => name.includes('Publisher'));
  if (publishers.length === 1 && publishers[0] !== undefined) return publishers[0];
  throw new PublishFailure(
    publishers.length === 0
      ? `no publisher function among ${names.length} function(s) (${names.join(', ') || 'none'}); pass --function-name`
      : `several publisher functions (${publishers.join(', ')}); pass --function-name`,
  );
}

/**
 * Invokes the publisher and returns its result (`{ seq?, delivered, gone, failed }`).
 *
 * @throws PublishFailure for the publisher's error object, a function error, or a Lambda API error.
 */
export async function publish(client: Pick<LambdaClient, 'send'>, options: PublishOptions): Promise<unknown> {
  const functionName = options.functionName ?? (await findLocalPublisher(client));
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(options.payload)),
    }),
  );
  const text = new TextDecoder().decode(response.Payload ?? new Uint8Array());
  let result: unknown;
  try {
    result = text === '' ? null : JSON.parse(text);
  } catch {
    throw new PublishFailure(`${functionName} answered something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (response.FunctionError !== undefined) {
    const message =
      typeof result === 'object' && result !== null && 'errorMessage' in result
        ? String(result.errorMessage)
        : text;
    throw new PublishFailure(`${functionName} failed (${response.FunctionError}): ${message}`);
  }
  if (typeof result === 'object' && result !== null && 'error' in result) {
    const message = 'message' in result ? String(result.message) : '';
    throw new PublishFailure(`the publisher refused the payload: ${String(result.error)}: ${message}`);
  }
  return result;
}

/** What {@link runPublish} writes to. */
export interface PublishIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The whole command: parse, invoke, print. Returns the exit code (0 published, 1 failed, 2 usage).
 *
 * @param makeClient builds the Lambda client for the options' region and endpoint.
 */
export async function runPublish(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: PublishIo,
  makeClient: (options: PublishOptions) => Pick<LambdaClient, 'send'>,
): Promise<number> {
  let options: PublishOptions;
  try {
    options = parsePublishOptions(argv, env);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(PUBLISH_USAGE);
    return 0;
  }
  try {
    const result = await publish(makeClient(options), options);
    io.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`publish failed: ${describe(error, options)}\n`);
    return 1;
  }
}

function describe(error: unknown, options: PublishOptions): string {
  if (error instanceof PublishFailure) return error.message;
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (code === 'ECONNREFUSED' && options.endpoint !== undefined) {
    return `nothing answers at ${options.endpoint}: is the offline runtime running (npm start)? Otherwise pass --endpoint`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
