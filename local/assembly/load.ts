/**
 * Loads a cloud assembly (`cdk.out`) into the `AppModel` the offline runtime serves: the synthesized templates
 * are the only source of truth — no route list is kept by hand.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AppModel, StackModel } from '../model.js';
import { AssemblyError } from './errors.js';
import { readEventSourceMappings, readQueueEventSourceMappings } from './event-source-mappings.js';
import { readFunctions } from './functions.js';
import { findStackArtifacts, type StackArtifact } from './manifest.js';
import { readQueues } from './queues.js';
import { readTables } from './tables.js';
import type { CfnTemplate } from './template.js';
import { readWebSocketApis } from './websocket-apis.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function readTemplate(file: string): Promise<CfnTemplate> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AssemblyError(`Unreadable template ${file}: ${(error as Error).message}`, { cause: error });
  }
  const resources = isRecord(parsed) ? parsed.Resources : undefined;
  if (!isRecord(resources)) throw new AssemblyError(`Unreadable template ${file}: no Resources section`);
  return parsed as CfnTemplate;
}

async function loadStack(artifact: StackArtifact): Promise<StackModel> {
  const template = await readTemplate(artifact.templateFile);
  const { stackName } = artifact;
  const resources = template.Resources;
  return {
    stackName,
    apis: readWebSocketApis(stackName, resources),
    functions: readFunctions(stackName, resources, artifact.assemblyDir),
    tables: readTables(stackName, resources),
    eventSourceMappings: readEventSourceMappings(resources),
    queues: readQueues(stackName, resources),
    queueEventSourceMappings: readQueueEventSourceMappings(resources),
    resources,
    parameters: template.Parameters ?? {},
  };
}

/**
 * Reads the cloud assembly at `dir` (e.g. `cdk.out`): every stack, its WebSocket APIs with their routes, its
 * Lambda functions (with the asset directory holding the bundle), its DynamoDB tables, its SQS queues and the
 * event source mappings on their streams and queues.
 *
 * @throws AssemblyError when there is no assembly at `dir` or a template cannot be read.
 * @example
 * const app = await loadAssembly('cdk.out');
 * for (const stack of app.stacks) console.log(stack.stackName, stack.apis.map((api) => api.name));
 */
export async function loadAssembly(dir: string): Promise<AppModel> {
  const assemblyDir = resolve(dir);
  const artifacts = await findStackArtifacts(assemblyDir);
  return { assemblyDir, stacks: await Promise.all(artifacts.map(loadStack)) };
}
