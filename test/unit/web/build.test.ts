import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, buildDemoToDirectory, type DemoFile } from '../../../web/build.js';

describe('buildDemo', () => {
  let files: Map<string, DemoFile>;

  beforeAll(async () => {
    files = await buildDemo();
  });

  it('returns exactly the page, its bundle and its style sheet, without config.json', () => {
    expect([...files.keys()].sort()).toEqual(['/index.html', '/main.js', '/style.css']);
    expect(files.get('/index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(files.get('/main.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(files.get('/style.css')?.contentType).toBe('text/css; charset=utf-8');
  });

  it('bundles the page and the client into one minified module with no imports left', () => {
    const script = files.get('/main.js')?.body ?? '';

    expect(script.length).toBeGreaterThan(1_000);
    expect(script).not.toMatch(/\bimport\s*\(|\bimport\s*["'{*]|\brequire\(/);
    expect(script).not.toContain('node:');
    // Minified: no line of source formatting survives.
    expect(script.split('\n').length).toBeLessThan(5);
    // The client library is inside (its error for a runtime without WebSocket), and so is the page.
    expect(script).toContain('no global WebSocket');
    expect(script).toContain('config.json');
  });

  it('has index.html load main.js as a module and style.css, by relative URL', () => {
    const html = files.get('/index.html')?.body ?? '';

    expect(html).toMatch(/<script type="module" src="main\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="style\.css" \/>/);
  });
});

describe('buildDemoToDirectory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'demo-build-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same files into the directory', async () => {
    const target = join(dir, 'site');

    const written = await buildDemoToDirectory(target);

    expect(written.sort()).toEqual(['index.html', 'main.js', 'style.css']);
    expect((await readdir(target)).sort()).toEqual(['index.html', 'main.js', 'style.css']);
    const files = await buildDemo();
    expect(await readFile(join(target, 'index.html'), 'utf8')).toBe(files.get('/index.html')?.body);
    expect(await readFile(join(target, 'main.js'), 'utf8')).toBe(files.get('/main.js')?.body);
  });
});
