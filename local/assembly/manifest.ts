/**
 * Finds the CloudFormation stacks of a cloud assembly by reading its `manifest.json`, following nested
 * assemblies (one per CDK `Stage` in the app).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AssemblyError } from './errors.js';

/** A stack artifact: where its template is and under which name CloudFormation would deploy it. */
export interface StackArtifact {
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templateFile: string;
  /** Absolute path of the assembly that holds the template; asset paths in the template are relative to it. */
  readonly assemblyDir: string;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly directoryName?: string;
  };
}

interface Manifest {
  readonly artifacts?: Readonly<Record<string, ManifestArtifact>>;
}

/** Nested assemblies nest once per `Stage` level; this bounds a malformed (cyclic) manifest. */
const MAX_NESTING = 8;

async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AssemblyError(`No cloud assembly at ${dir}: run 'npx cdk synth' first or pass --cdk-out`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as Manifest;
  } catch (error) {
    throw new AssemblyError(`Unreadable cloud assembly manifest ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The stack artifacts of the assembly at `dir` and of its nested assemblies, in manifest order. */
export async function findStackArtifacts(dir: string, depth = 0): Promise<StackArtifact[]> {
  const assemblyDir = resolve(dir);
  const manifest = await readManifest(assemblyDir);
  const stacks: StackArtifact[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const properties = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && properties.templateFile !== undefined) {
      stacks.push({
        stackName: properties.stackName ?? id,
        templateFile: join(assemblyDir, properties.templateFile),
        assemblyDir,
      });
    } else if (
      artifact.type === 'cdk:cloud-assembly' &&
      properties.directoryName !== undefined &&
      depth < MAX_NESTING
    ) {
      stacks.push(...(await findStackArtifacts(join(assemblyDir, properties.directoryName), depth + 1)));
    }
  }
  return stacks;
}
