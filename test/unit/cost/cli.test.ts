import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const cost = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/cost.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run cost', () => {
  it('exits 2 with the reason and the usage on a bad flag', () => {
    for (const args of [['--connections=-1'], ['--connections', 'NaN'], ['--nope']]) {
      const run = cost(...args);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: .*(connections|nope)/);
      expect(run.stderr).toContain('Usage: npm run cost');
    }
  }, 60_000);

  it('prints the bill and ends with one JSON line', () => {
    const run = cost('--workload', 'chat');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^API Gateway +connection-minutes +/m);
    const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({ bench: 'cost', preset: 'chat' });
  }, 30_000);
});
