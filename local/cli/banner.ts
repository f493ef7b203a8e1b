/**
 * What the CLI prints once the runtime is up: where to connect, where the Management API and DynamoDB are.
 *
 * @module
 */
import { DEFAULT_SERVICES_PORT, type RunningRuntime } from '../runtime.js';

/** Where `npm run publish -- --local` looks for the Lambda API unless given `--endpoint`. */
export const DEFAULT_SERVICES_ENDPOINT = `http://127.0.0.1:${DEFAULT_SERVICES_PORT}`;

/** How DynamoDB was chosen, for the banner. */
export interface StorageDescription {
  /** Where the tables are kept, when not in memory. */
  readonly persistDir?: string;
}

const LABEL_WIDTH = 12;
const VALUE_WIDTH = 27;

/**
 * The start-up banner, e.g.
 * ```
 * Realtime WebSocket API — offline
 *   WebSocket   ws://127.0.0.1:3001        (stack RealtimeWebSocketApi, stage prod)
 *   Management  http://127.0.0.1:3001/prod  (the ApiGatewayManagementApiClient endpoint; paths /@connections/{id})
 *   DynamoDB    http://127.0.0.1:45123     (dynalite, in memory; table RealtimeWebSocketApi-Table…)
 *   SQS         http://127.0.0.1:45124     (in memory; queues …), when the app has queues
 *   Services    http://127.0.0.1:3002      (Lambda Invoke, SQS, Secrets Manager: AWS_ENDPOINT_URL_*)
 *   Dev token   eyJhbGciOiJIUzI1NiIs…      (user dev, every grant, valid 24 h; npm run token mints others)
 * Try: npx wscat -c 'ws://127.0.0.1:3001?token=eyJhbGciOiJIUzI1NiIs…'   ·   Ctrl-C to stop
 * Publish from a script: npm run publish -- --local --channel lobby --data '{"hello":"world"}'
 * ```
 * The dev token rows appear for an API whose `$connect` has the HMAC authorizer (auth on).
 */
export function formatBanner(runtime: RunningRuntime, storage: StorageDescription = {}): string {
  const lines = ['Realtime WebSocket API — offline'];
  const manyApis = runtime.apis.length > 1;
  for (const api of runtime.apis) {
    const where = `stack ${api.stackName}, ${manyApis ? `api ${api.name}, ` : ''}stage ${api.stage}`;
    lines.push(row('WebSocket', api.url, `(${where})`));
    lines.push(
      row(
        'Management',
        api.managementUrl,
        '(the ApiGatewayManagementApiClient endpoint; paths /@connections/{id})',
      ),
    );
    if (api.devToken !== undefined) {
      lines.push(
        row('Dev token', api.devToken, '(user dev, every grant, valid 24 h; npm run token mints others)'),
      );
    }
  }
  lines.push(row('DynamoDB', runtime.dynamodb.endpoint, `(${describeDynamo(runtime, storage)})`));
  if (runtime.queues.length > 0) {
    const names = runtime.queues.map((queue) => queue.name).join(', ');
    lines.push(row('SQS', runtime.services.endpoint, `(in memory; queues ${names})`));
  }
  if (runtime.demo !== undefined) {
    lines.push(row('Demo page', runtime.demo.url, '(open it in two browser windows)'));
  }
  lines.push(
    row('Services', runtime.services.endpoint, '(Lambda Invoke, SQS, Secrets Manager: AWS_ENDPOINT_URL_*)'),
  );
  const first = runtime.apis[0];
  if (first !== undefined) lines.push(`Try: ${wscatCommand(first)}   ·   Ctrl-C to stop`);
  lines.push(`Publish from a script: ${publishCommand(runtime)}`);
  return `${lines.join('\n')}\n`;
}

/** `npx wscat -c ws://…`, with the dev token in the query string when the API has one. */
export function wscatCommand(api: RunningRuntime['apis'][number]): string {
  return api.devToken === undefined
    ? `npx wscat -c ${api.url}`
    : `npx wscat -c '${api.url}?token=${api.devToken}'`;
}

/** The ready-to-paste `npm run publish` line; `--endpoint` only when the services are not on the default port. */
export function publishCommand(runtime: Pick<RunningRuntime, 'services'>): string {
  const endpoint =
    runtime.services.endpoint === DEFAULT_SERVICES_ENDPOINT ? '' : ` --endpoint ${runtime.services.endpoint}`;
  return `npm run publish -- --local${endpoint} --channel lobby --data '{"hello":"world"}'`;
}

function describeDynamo(runtime: RunningRuntime, storage: StorageDescription): string {
  const engine = {
    dynalite: 'dynalite',
    local: 'DynamoDB Local',
    external: 'external',
  }[runtime.dynamodb.engine];
  const where =
    runtime.dynamodb.engine === 'external'
      ? undefined
      : storage.persistDir === undefined
        ? 'in memory'
        : `on disk in ${storage.persistDir}`;
  const names = runtime.tables.map((table) => table.tableName);
  const tables =
    names.length === 0 ? 'no tables' : `${names.length === 1 ? 'table' : 'tables'} ${names.join(', ')}`;
  return `${[engine, where].filter((part) => part !== undefined).join(', ')}; ${tables}`;
}

function row(label: string, value: string, note?: string): string {
  const head = `  ${label.padEnd(LABEL_WIDTH)}`;
  return note === undefined ? `${head}${value}` : `${head}${value.padEnd(VALUE_WIDTH - 1)} ${note}`;
}
