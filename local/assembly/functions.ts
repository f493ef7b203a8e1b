/**
 * Reads `AWS::Lambda::Function` resources into `FunctionModel`s whose code is a bundled asset directory of the
 * cloud assembly.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FunctionModel, TemplateValue } from '../model.js';
import { type CfnResource, idsOfType, isTemplateObject, literalNumber, literalString } from './template.js';

/** Lambda's defaults when the template leaves `Timeout` / `MemorySize` out. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/**
 * The asset directory of a function. CDK records it in the `aws:asset:path` metadata (relative to the assembly
 * that holds the template) when asset metadata is enabled, which the CDK CLI always does; an app synthesized
 * without it still names the asset by hash in `Code.S3Key` (`<hash>.zip` ↔ `asset.<hash>`).
 */
function codeDirOf(resource: CfnResource, templateDir: string): string | undefined {
  const assetPath = literalString(resource.Metadata?.['aws:asset:path']);
  if (assetPath !== undefined) {
    const dir = resolve(templateDir, assetPath);
    return isDirectory(dir) ? dir : undefined;
  }
  const code = resource.Properties?.Code;
  const key = isTemplateObject(code) ? literalString(code.S3Key) : undefined;
  const hash = key?.replace(/\.zip$/, '');
  if (hash === undefined) return undefined;
  const dir = resolve(templateDir, `asset.${hash}`);
  return isDirectory(dir) ? dir : undefined;
}

/** `Environment.Variables`, left unresolved. */
function environmentOf(properties: Record<string, TemplateValue>): Record<string, TemplateValue> {
  const environment = properties.Environment;
  const variables = isTemplateObject(environment) ? environment.Variables : undefined;
  return isTemplateObject(variables) ? { ...variables } : {};
}

/**
 * The functions of one stack, by logical id. Functions the runtime cannot run (inline `ZipFile` code, container
 * images, assets that are not directories) are left out; a route that targets one then fails at invoke time.
 */
export function readFunctions(
  stackName: string,
  resources: Readonly<Record<string, CfnResource>>,
  templateDir: string,
): Map<string, FunctionModel> {
  const functions = new Map<string, FunctionModel>();
  for (const logicalId of idsOfType(resources, 'AWS::Lambda::Function')) {
    const resource = resources[logicalId];
    const properties = resource?.Properties ?? {};
    const handler = literalString(properties.Handler);
    const codeDir = resource === undefined ? undefined : codeDirOf(resource, templateDir);
    if (handler === undefined || codeDir === undefined) continue;
    const reservedConcurrency = literalNumber(properties.ReservedConcurrentExecutions);
    functions.set(logicalId, {
      logicalId,
      functionName: literalString(properties.FunctionName) ?? `${stackName}-${logicalId}`,
      codeDir,
      handler,
      runtime: literalString(properties.Runtime) ?? 'nodejs22.x',
      timeoutSeconds: literalNumber(properties.Timeout) ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMB: literalNumber(properties.MemorySize) ?? DEFAULT_MEMORY_MB,
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
      environment: environmentOf(properties),
    });
  }
  return functions;
}
