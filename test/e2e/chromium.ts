/**
 * Launches the system's Chromium (Debian's `chromium` package) through playwright-core: no browser is
 * downloaded, so `npx playwright install` is never needed. Headless, sandbox off (CI runs as root), and
 * every background service that would reach the network turned off.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a quiet headless Chromium that talks to nothing but the pages it is sent to. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const LAUNCH_TIMEOUT_MS = 30_000;

/**
 * The Chromium binary: `$CHROMIUM_PATH`, else what `which chromium` finds.
 *
 * @throws {Error} saying how to install it when there is none.
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8', timeout: 5_000 }).trim();
  } catch (error) {
    throw new Error('No chromium on PATH: `apt-get install -y chromium` (or set CHROMIUM_PATH)', {
      cause: error,
    });
  }
}

/** Launches Chromium; close the browser when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS],
    timeout: LAUNCH_TIMEOUT_MS,
  });
}
