import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/constants.js';
import { type RunningRuntime, startRuntime } from '../../local/runtime.js';
import { launchChromium } from './chromium.js';

/**
 * The demo page (`web/`) in a real Chromium against the offline runtime serving the synthesized product
 * stack: two users in two browser contexts, scoring, chatting, seeing each other, and one of them dropped by
 * the server and resuming without losing or repeating a message. Loopback only; every wait is bounded.
 */
describe('demo page in Chromium', () => {
  const WAIT_MS = 20_000;
  const poll = { timeout: WAIT_MS, interval: 100 };
  const screenshot = fileURLToPath(new URL('../../test-results/demo.png', import.meta.url));

  let runtime: RunningRuntime;
  let browser: Browser;
  let management: ApiGatewayManagementApiClient;
  let demoUrl: string;
  const pageErrors: Error[] = [];
  let ann: { context: BrowserContext; page: Page };
  let ben: { context: BrowserContext; page: Page };

  /** A user in a browser context of their own (own localStorage, so own clientId). */
  const open = async (name: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({
      viewport: { width: 1200, height: 720 },
      reducedMotion: 'no-preference',
    });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${demoUrl}?name=${encodeURIComponent(name)}`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: WAIT_MS });
    return { context, page };
  };

  /** The leaderboard as shown: `rank. player score`, in DOM order. */
  const board = async (page: Page): Promise<string[]> => {
    const rows = await page.locator('#leaderboard > li').all();
    return Promise.all(
      rows.map(async (row) => {
        const [rank, player, score] = await Promise.all([
          row.locator('.rank').textContent(),
          row.getAttribute('data-player'),
          row.getAttribute('data-score'),
        ]);
        return `${rank}. ${player} ${score}`;
      }),
    );
  };

  /** The chat as shown: `seq author: text`, in DOM order. */
  const chat = async (page: Page): Promise<string[]> => {
    const items = await page.locator('#messages > li.message').all();
    return Promise.all(
      items.map(async (item) => {
        const [seq, author, text] = await Promise.all([
          item.getAttribute('data-seq'),
          item.locator('.author').textContent(),
          item.locator('.text').textContent(),
        ]);
        return `${seq} ${author}: ${text}`;
      }),
    );
  };

  const online = (page: Page): Promise<string[]> => page.locator('#online .name').allTextContents();

  const say = async (page: Page, text: string): Promise<void> => {
    await page.getByLabel('Message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  };

  const give = (page: Page, player: string): Promise<void> =>
    page.getByRole('button', { name: `+10 ${player}`, exact: true }).click();

  beforeAll(async () => {
    runtime = await startRuntime({ cdkOut: inject('productAssembly'), port: 0, demo: { port: 0 } });
    const api = runtime.apis[0];
    if (api === undefined || runtime.demo === undefined)
      throw new Error('the runtime serves no API or no demo');
    demoUrl = runtime.demo.url;
    management = new ApiGatewayManagementApiClient({
      endpoint: api.managementUrl,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
    });
    browser = await launchChromium();
    ann = await open('Ann');
    ben = await open('Ben');
  });

  afterAll(async () => {
    await browser?.close();
    management?.destroy();
    await runtime?.close();
  });

  it('lists each page in the other one’s online list', async () => {
    await expect.poll(() => online(ann.page), poll).toEqual(['Ann', 'Ben']);
    await expect.poll(() => online(ben.page), poll).toEqual(['Ben', 'Ann']);
    await expect(ann.page.locator('#connection').getAttribute('data-state')).resolves.toBe('open');
  });

  it('re-ranks page B’s leaderboard when page A gives a player +10', async () => {
    // Prepare: carol ahead of bob.
    await give(ann.page, 'carol');
    await give(ann.page, 'carol');
    await give(ann.page, 'bob');
    await expect.poll(() => board(ben.page), poll).toEqual(['1. carol 20', '2. bob 10']);

    // Act: bob overtakes carol.
    await give(ann.page, 'bob');
    await give(ann.page, 'bob');

    // Assess
    await expect.poll(() => board(ben.page), poll).toEqual(['1. bob 30', '2. carol 20']);
    await expect.poll(() => board(ann.page), poll).toEqual(['1. bob 30', '2. carol 20']);
  });

  it('shows A’s message on B with A’s name, and to a late joiner from history', async () => {
    await say(ann.page, 'hello from Ann');
    await expect.poll(() => chat(ben.page), poll).toEqual(['1 Ann: hello from Ann']);

    const cy = await open('Cy');
    try {
      await expect.poll(() => chat(cy.page), poll).toEqual(['1 Ann: hello from Ann']);
      await expect.poll(() => board(cy.page), poll).toEqual(['1. bob 30', '2. carol 20']);
      await expect.poll(() => online(ann.page), poll).toEqual(['Ann', 'Ben', 'Cy']);
    } finally {
      await cy.context.close();
    }
    await expect.poll(() => online(ann.page), poll).toEqual(['Ann', 'Ben']);
  });

  it('shows B every message once, in order, after the server dropped B and A published meanwhile', async () => {
    // Prepare: B's connection id, from the `from` of B's own message.
    await say(ben.page, 'Ben here');
    const own = ben.page.locator('#messages > li.message.mine').last();
    await expect(own.locator('.text').textContent()).resolves.toBe('Ben here');
    const connectionId = await own.getAttribute('data-from');
    if (!connectionId) throw new Error('B’s message carries no connection id');
    // Offline keeps B's open socket but fails every reconnect attempt until it is back online, so A's
    // messages are published while B is certainly away.
    await ben.context.setOffline(true);

    // Act
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await ben.page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: WAIT_MS });
    const missed = ['one', 'two', 'three', 'four', 'five'].map((word) => `while Ben was away: ${word}`);
    for (const text of missed) await say(ann.page, text);
    await expect.poll(async () => (await chat(ann.page)).length, poll).toBe(2 + missed.length);
    await expect(ben.page.locator('#connection').getAttribute('data-state')).resolves.toBe('reconnecting');
    await ben.context.setOffline(false);

    // Assess
    await ben.page.locator('#connection[data-state="open"]').waitFor({ timeout: WAIT_MS });
    const expected = [
      '1 Ann: hello from Ann',
      '2 Ben: Ben here',
      ...missed.map((text, index) => `${3 + index} Ann: ${text}`),
    ];
    await expect.poll(() => chat(ann.page), poll).toEqual(expected);
    await expect.poll(() => chat(ben.page), poll).toEqual(expected);
    // B's new connection is present again, once.
    await expect.poll(() => online(ann.page), poll).toEqual(['Ann', 'Ben']);
  });

  it('ran without an uncaught error, and A shows no error; saves a screenshot', async () => {
    await ann.page.getByRole('button', { name: '+10 Ann (you)', exact: true }).click();
    await expect.poll(() => board(ann.page), poll).toEqual(['1. bob 30', '2. carol 20', '3. Ann 10']);
    await mkdir(dirname(screenshot), { recursive: true });
    await ann.page.screenshot({ path: screenshot, animations: 'disabled' });

    expect(pageErrors).toEqual([]);
    await expect(ann.page.locator('#status').textContent()).resolves.toBe('');
  });
});
