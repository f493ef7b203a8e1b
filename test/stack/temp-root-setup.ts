import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup of the unit project: one temporary root for every CDK `App` the template tests
 * synthesize (each test process makes its own folder inside it), removed when the run ends. Test workers may
 * be stopped without an `exit` event, so they cannot clean up after themselves.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'realtime-template-tests-'));
  process.env.REALTIME_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
