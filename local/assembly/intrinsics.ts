/**
 * Resolves CloudFormation intrinsic functions to the values they would have offline, so a function gets the same
 * environment variables it gets in AWS — pointed at local endpoints.
 *
 * What resolves to what:
 * - `Ref`: pseudo parameters (`AWS::Region` → the local region, `AWS::AccountId` → `000000000000`,
 *   `AWS::Partition` → `aws`, `AWS::URLSuffix` → `amazonaws.com`, `AWS::StackName`, `AWS::StackId`); a table →
 *   its table name; a WebSocket API → its local apiId; a stage → its stage name; a function → its function name; a
 *   queue → its URL on the runtime's services endpoint (`<endpoint>/<account>/<queueName>`); a Secrets Manager
 *   secret → its ARN (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`, stable across
 *   restarts); a parameter → its `Default`; any other resource → its logical id.
 * - `Fn::GetAtt`: a table's `Arn` / `StreamArn`, a function's `Arn`, an API's `ApiEndpoint` / `ApiId`, a queue's
 *   `Arn` / `QueueName` / `QueueUrl`, a secret's `Id`, and a plausible ARN for any other resource's `Arn`.
 * - `Fn::Join`, `Fn::Sub` (both forms), `Fn::Select`, `Fn::Split`, `Fn::Base64`, `Fn::GetAZs`.
 * - `Fn::ImportValue` and anything else: a `ResolveError` naming what could not be resolved.
 *
 * @module
 */
import { LOCAL_ACCOUNT_ID } from '../constants.js';
import type { FunctionModel, StackModel, TemplateValue } from '../model.js';
import { localApiId } from './api-id.js';
import { ResolveError } from './errors.js';
import { type ApiPorts, LOCAL_HOST, toLocalUrls } from './local-urls.js';
import { queueNameOf } from './queues.js';
import { generatedSecretName, secretArn, secretArnSuffix } from './secret-ids.js';
import { isTemplateObject, literalString, type TemplateObject } from './template.js';

export type { ApiPorts } from './local-urls.js';

/** The account id every local ARN carries. */
export { LOCAL_ACCOUNT_ID };

/** Where the stack runs locally: what pseudo parameters and API URLs resolve to. */
export interface LocalEndpoints {
  /** Value of `AWS::Region`. */
  readonly region: string;
  /** Value of `AWS::AccountId`. @default '000000000000' */
  readonly accountId?: string;
  /** apiId → port of the local gateway serving it; execute-api URLs of these APIs become local URLs. */
  readonly apiPorts: ApiPorts;
  /** Host of the local gateway. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * The runtime's services endpoint (`local/services/`): queue URLs point at it.
   * @default `https://sqs.<region>.amazonaws.com`, as in AWS
   */
  readonly servicesEndpoint?: string;
}

/** Everything `resolveValue` needs: the local endpoints and the stack whose template the value comes from. */
export interface ResolveContext extends LocalEndpoints {
  readonly stack: StackModel;
}

/** A resolved value: a string, or a list for list-valued intrinsics (`Fn::Split`, `Fn::GetAZs`). */
type Resolved = string | string[];

const PARTITION = 'aws';
const URL_SUFFIX = 'amazonaws.com';
/** A fixed stream label: the runtime has no streams, but an ARN must look like one. */
const STREAM_LABEL = '1970-01-01T00:00:00.000';

const account = (ctx: ResolveContext): string => ctx.accountId ?? LOCAL_ACCOUNT_ID;

function resourceTypeOf(ctx: ResolveContext, logicalId: string): string | undefined {
  return ctx.stack.resources[logicalId]?.Type;
}

function tableNameOf(ctx: ResolveContext, logicalId: string): string {
  const table = ctx.stack.tables.find((candidate) => candidate.logicalId === logicalId);
  const literal = literalString(ctx.stack.resources[logicalId]?.Properties?.TableName);
  return table?.tableName ?? literal ?? `${ctx.stack.stackName}-${logicalId}`;
}

function functionNameOf(ctx: ResolveContext, logicalId: string): string {
  const fn = ctx.stack.functions.get(logicalId);
  if (fn !== undefined) return fn.functionName;
  const name = literalString(ctx.stack.resources[logicalId]?.Properties?.FunctionName);
  return name ?? `${ctx.stack.stackName}-${logicalId}`;
}

function queueNameIn(ctx: ResolveContext, logicalId: string): string {
  const queue = ctx.stack.queues?.find((candidate) => candidate.logicalId === logicalId);
  return queue?.queueName ?? queueNameOf(ctx.stack.stackName, logicalId, ctx.stack.resources[logicalId]);
}

/** `<endpoint>/<account>/<queueName>`: the URL SQS gives a queue, on the local services endpoint. */
function queueUrlOf(ctx: ResolveContext, logicalId: string): string {
  const endpoint = ctx.servicesEndpoint ?? `https://sqs.${ctx.region}.${URL_SUFFIX}`;
  return `${endpoint.replace(/\/+$/, '')}/${account(ctx)}/${queueNameIn(ctx, logicalId)}`;
}

function apiIdOf(ctx: ResolveContext, logicalId: string): string {
  const api = ctx.stack.apis.find((candidate) => candidate.logicalId === logicalId);
  return api?.apiId ?? localApiId(ctx.stack.stackName, logicalId);
}

/** A secret's `Name` (resolved), or the name CloudFormation would generate. */
function secretNameOf(ctx: ResolveContext, logicalId: string): string {
  const name = ctx.stack.resources[logicalId]?.Properties?.Name;
  return name === undefined ? generatedSecretName(ctx.stack.stackName, logicalId) : resolveString(name, ctx);
}

function secretArnOf(ctx: ResolveContext, logicalId: string): string {
  const suffix = secretArnSuffix(ctx.stack.stackName, logicalId);
  return secretArn(ctx.region, account(ctx), secretNameOf(ctx, logicalId), suffix);
}

function resolvePseudo(name: string, ctx: ResolveContext): Resolved {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return account(ctx);
    case 'AWS::Partition':
      return PARTITION;
    case 'AWS::URLSuffix':
      return URL_SUFFIX;
    case 'AWS::StackName':
      return ctx.stack.stackName;
    case 'AWS::StackId':
      return `arn:${PARTITION}:cloudformation:${ctx.region}:${account(ctx)}:stack/${ctx.stack.stackName}/00000000-0000-0000-0000-000000000000`;
    case 'AWS::NotificationARNs':
      return [];
    default:
      throw new ResolveError(`Unknown pseudo parameter ${name}`);
  }
}

function resolveParameter(name: string, ctx: ResolveContext): Resolved | undefined {
  const parameter = ctx.stack.parameters?.[name];
  if (parameter === undefined) return undefined;
  if (parameter.Type.startsWith('AWS::SSM::Parameter::')) {
    throw new ResolveError(
      `Parameter ${name} is read from SSM (${parameter.Type}), which is not available offline`,
    );
  }
  if (parameter.Default === undefined)
    throw new ResolveError(`Parameter ${name} has no Default to use offline`);
  const value = resolveString(parameter.Default, ctx);
  return parameter.Type.startsWith('List<') || parameter.Type === 'CommaDelimitedList'
    ? value.split(',')
    : value;
}

function resolveRef(name: TemplateValue, ctx: ResolveContext): Resolved {
  if (typeof name !== 'string') throw new ResolveError(`Ref needs a logical id, got ${JSON.stringify(name)}`);
  if (name.startsWith('AWS::')) return resolvePseudo(name, ctx);
  const parameter = resolveParameter(name, ctx);
  if (parameter !== undefined) return parameter;
  switch (resourceTypeOf(ctx, name)) {
    case undefined:
      throw new ResolveError(`Ref to ${name}: no such resource or parameter in stack ${ctx.stack.stackName}`);
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return tableNameOf(ctx, name);
    case 'AWS::ApiGatewayV2::Api':
      return apiIdOf(ctx, name);
    case 'AWS::ApiGatewayV2::Stage':
      return resolveString(ctx.stack.resources[name]?.Properties?.StageName ?? name, ctx);
    case 'AWS::Lambda::Function':
      return functionNameOf(ctx, name);
    case 'AWS::SQS::Queue':
      return queueUrlOf(ctx, name);
    case 'AWS::SecretsManager::Secret':
      return secretArnOf(ctx, name);
    default:
      return name;
  }
}

/** `AWS::SQS::Queue` → `sqs`: the service part of a plausible ARN. */
const serviceOf = (type: string): string => (type.split('::')[1] ?? 'unknown').toLowerCase();

function resolveGetAtt(args: TemplateValue, ctx: ResolveContext): Resolved {
  let logicalId: string | undefined;
  let attribute: string | undefined;
  if (Array.isArray(args)) {
    logicalId = literalString(args[0]);
    attribute = args[1] === undefined ? undefined : resolveString(args[1], ctx);
  } else if (typeof args === 'string' && args.includes('.')) {
    [logicalId, attribute] = [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)];
  }
  if (logicalId === undefined || attribute === undefined) {
    throw new ResolveError(`Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(args)}`);
  }
  const type = resourceTypeOf(ctx, logicalId);
  const region = ctx.region;
  const key = `${type}.${attribute}`;
  switch (key) {
    case 'AWS::DynamoDB::Table.Arn':
    case 'AWS::DynamoDB::GlobalTable.Arn':
      return `arn:${PARTITION}:dynamodb:${region}:${account(ctx)}:table/${tableNameOf(ctx, logicalId)}`;
    case 'AWS::DynamoDB::Table.StreamArn':
    case 'AWS::DynamoDB::GlobalTable.StreamArn':
      return `arn:${PARTITION}:dynamodb:${region}:${account(ctx)}:table/${tableNameOf(ctx, logicalId)}/stream/${STREAM_LABEL}`;
    case 'AWS::Lambda::Function.Arn':
      return `arn:${PARTITION}:lambda:${region}:${account(ctx)}:function:${functionNameOf(ctx, logicalId)}`;
    case 'AWS::SQS::Queue.Arn':
      return `arn:${PARTITION}:sqs:${region}:${account(ctx)}:${queueNameIn(ctx, logicalId)}`;
    case 'AWS::SQS::Queue.QueueName':
      return queueNameIn(ctx, logicalId);
    case 'AWS::SQS::Queue.QueueUrl':
      return queueUrlOf(ctx, logicalId);
    case 'AWS::ApiGatewayV2::Api.ApiId':
      return apiIdOf(ctx, logicalId);
    case 'AWS::SecretsManager::Secret.Id':
      return secretArnOf(ctx, logicalId);
    case 'AWS::ApiGatewayV2::Api.ApiEndpoint': {
      const protocol = ctx.stack.resources[logicalId]?.Properties?.ProtocolType;
      const scheme = protocol === 'WEBSOCKET' ? 'wss' : 'https';
      return `${scheme}://${apiIdOf(ctx, logicalId)}.execute-api.${region}.${URL_SUFFIX}`;
    }
  }
  if (type === undefined) {
    throw new ResolveError(
      `Fn::GetAtt ${logicalId}.${attribute}: no such resource in stack ${ctx.stack.stackName}`,
    );
  }
  if (attribute === 'Arn')
    return `arn:${PARTITION}:${serviceOf(type)}:${region}:${account(ctx)}:${logicalId}`;
  throw new ResolveError(`Fn::GetAtt ${logicalId}.${attribute} (${type}) is not supported offline`);
}

function resolveJoin(args: TemplateValue, ctx: ResolveContext): string {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
    throw new ResolveError(`Fn::Join needs [delimiter, list], got ${JSON.stringify(args)}`);
  }
  return resolveList(args[1] ?? [], ctx).join(args[0]);
}

/** Replaces `${Name}`, `${Resource.Attribute}` and `${!Literal}` (→ `${Literal}`). */
function resolveSub(args: TemplateValue, ctx: ResolveContext): string {
  const [template, variables]: [TemplateValue | undefined, TemplateValue | undefined] = Array.isArray(args)
    ? [args[0], args[1]]
    : [args, undefined];
  if (typeof template !== 'string')
    throw new ResolveError(`Fn::Sub needs a string, got ${JSON.stringify(args)}`);
  const vars: TemplateObject = isTemplateObject(variables) ? variables : {};
  return template.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const variable = vars[name];
    if (variable !== undefined) return resolveString(variable, ctx);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return scalar(resolveGetAtt([name.slice(0, dot), name.slice(dot + 1)], ctx), `\${${name}}`);
    }
    return scalar(resolveRef(name, ctx), `\${${name}}`);
  });
}

function resolveSelect(args: TemplateValue, ctx: ResolveContext): string {
  if (!Array.isArray(args) || args.length !== 2 || args[0] === undefined || args[1] === undefined) {
    throw new ResolveError(`Fn::Select needs [index, list], got ${JSON.stringify(args)}`);
  }
  const index = Number(resolveString(args[0], ctx));
  const list = resolveList(args[1], ctx);
  const item = Number.isInteger(index) ? list[index] : undefined;
  if (item === undefined)
    throw new ResolveError(`Fn::Select index ${index} is out of range for ${list.length} items`);
  return item;
}

function resolveSplit(args: TemplateValue, ctx: ResolveContext): string[] {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || args[1] === undefined) {
    throw new ResolveError(`Fn::Split needs [delimiter, string], got ${JSON.stringify(args)}`);
  }
  return resolveString(args[1], ctx).split(args[0]);
}

/** Resolves one template value to a string or a list. */
function resolveAny(value: TemplateValue, ctx: ResolveContext): Resolved {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) throw new ResolveError('Cannot resolve null');
  if (Array.isArray(value)) return value.map((item) => resolveString(item, ctx));
  const keys = Object.keys(value);
  const [name] = keys;
  const args = name === undefined ? undefined : value[name];
  if (keys.length !== 1 || name === undefined || args === undefined) {
    throw new ResolveError(`Cannot resolve an object to a string: ${JSON.stringify(value)}`);
  }
  switch (name) {
    case 'Ref':
      return resolveRef(args, ctx);
    case 'Fn::GetAtt':
      return resolveGetAtt(args, ctx);
    case 'Fn::Join':
      return resolveJoin(args, ctx);
    case 'Fn::Sub':
      return resolveSub(args, ctx);
    case 'Fn::Select':
      return resolveSelect(args, ctx);
    case 'Fn::Split':
      return resolveSplit(args, ctx);
    case 'Fn::Base64':
      return Buffer.from(resolveString(args, ctx)).toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${ctx.region}${zone}`);
    case 'Fn::ImportValue':
      throw new ResolveError(
        `Fn::ImportValue ${JSON.stringify(args)} is not supported offline: cross-stack exports are not resolved`,
      );
    default:
      throw new ResolveError(`Intrinsic function ${name} is not supported offline`);
  }
}

function scalar(value: Resolved, what: string): string {
  if (Array.isArray(value)) throw new ResolveError(`${what} is a list where a string is needed`);
  return value;
}

function resolveString(value: TemplateValue, ctx: ResolveContext): string {
  return scalar(resolveAny(value, ctx), JSON.stringify(value));
}

function resolveList(value: TemplateValue, ctx: ResolveContext): string[] {
  const resolved = resolveAny(value, ctx);
  if (!Array.isArray(resolved)) throw new ResolveError(`${JSON.stringify(value)} is not a list`);
  return resolved;
}

/**
 * Resolves a template value to the string it stands for offline; execute-api URLs of local APIs come out as
 * local URLs (see `toLocalUrls`).
 *
 * @throws ResolveError for unknown references, unknown pseudo parameters, lists, `Fn::ImportValue`, …
 * @example
 * resolveValue({ 'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.', { Ref: 'AWS::Region' },
 *   '.', { Ref: 'AWS::URLSuffix' }, '/prod']] }, ctx); // → 'http://127.0.0.1:3001/prod'
 */
export function resolveValue(value: TemplateValue, ctx: ResolveContext): string {
  return toLocalUrls(resolveString(value, ctx), ctx.apiPorts, ctx.host ?? LOCAL_HOST);
}

/**
 * The environment variables of `fn` as they are offline: every `Environment.Variables` entry resolved, with the
 * stage callback URL and `wss://` URLs pointing at the local gateway.
 *
 * @throws ResolveError naming the variable and the function when one cannot be resolved.
 */
export function resolveEnvironment(
  fn: FunctionModel,
  stack: StackModel,
  ctx: LocalEndpoints,
): Record<string, string> {
  const full: ResolveContext = { ...ctx, stack };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    try {
      env[name] = resolveValue(value, full);
    } catch (error) {
      throw new ResolveError(
        `Cannot resolve environment variable ${name} of ${fn.logicalId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return env;
}
