/**
 * Builds the demo page in memory: `web/main.ts` and the client library bundled by esbuild into one
 * minified ES2022 module, next to `index.html` and `style.css` as they are. The local demo server serves the
 * result from memory; {@link buildDemoToDirectory} writes the same files for the CDK construct to upload.
 * Neither adds `config.json`: whoever serves the page knows the WebSocket URL and adds it.
 *
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file of the page. */
export interface DemoFile {
  readonly contentType: string;
  readonly body: string;
}

const WEB_DIR = dirname(fileURLToPath(import.meta.url));

/** The page's static files, copied as they are, with their content types. */
const STATIC_FILES = [
  { path: '/index.html', source: 'index.html', contentType: 'text/html; charset=utf-8' },
  { path: '/style.css', source: 'style.css', contentType: 'text/css; charset=utf-8' },
] as const;

/** The bundle's path; `index.html` loads it with `<script type="module" src="main.js">`. */
export const SCRIPT_PATH = '/main.js';

/**
 * Bundles the page and returns its files by URL path: `/index.html`, `/main.js`, `/style.css`.
 *
 * @throws esbuild's `BuildFailure` when `web/` does not compile, or a file system error for a missing file.
 * @example
 * const files = await buildDemo();
 * files.get('/main.js')?.body; // the minified bundle
 */
export async function buildDemo(): Promise<Map<string, DemoFile>> {
  const [bundle, ...statics] = await Promise.all([
    build({
      entryPoints: [join(WEB_DIR, 'main.ts')],
      bundle: true,
      write: false,
      outfile: 'main.js',
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    }),
    ...STATIC_FILES.map((file) => readFile(join(WEB_DIR, file.source), 'utf8')),
  ]);
  const script = bundle.outputFiles.find((file) => file.path.endsWith('main.js'));
  if (script === undefined) throw new Error('esbuild produced no main.js');
  const files = new Map<string, DemoFile>();
  STATIC_FILES.forEach((file, index) => {
    files.set(file.path, { contentType: file.contentType, body: statics[index] ?? '' });
  });
  files.set(SCRIPT_PATH, { contentType: 'text/javascript; charset=utf-8', body: script.text });
  return files;
}

/**
 * Builds the page and writes its files into `dir` (created if missing), e.g. for `BucketDeployment`.
 *
 * @returns the paths written, relative to `dir`.
 * @example
 * await buildDemoToDirectory('cdk.out/demo-site');
 */
export async function buildDemoToDirectory(dir: string): Promise<string[]> {
  const files = await buildDemo();
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [path, file] of files) {
    const relative = path.replace(/^\//, '');
    await writeFile(join(dir, relative), file.body);
    written.push(relative);
  }
  return written;
}
