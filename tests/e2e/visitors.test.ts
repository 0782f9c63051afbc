// A full lab in the browser: with room for one workspace, a second visitor reads why in the terminal
// panel (its status line and the terminal) while the page keeps asking, and the first keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, screenText, terminalRegion, waitForScreen } from '../support/browser.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_MAX_WORKSPACES: '1' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('a full lab', () => {
  it('the terminal panel of a new visitor says the lab is full; the learner inside is not disturbed', async () => {
    const first = await (await browser.newContext()).newPage();
    await first.goto(`${server.url}/lessons/single-stage/`);
    await first.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });

    const second = await (await browser.newContext()).newPage();
    await second.goto(`${server.url}/lessons/single-stage/`);
    const message = 'The lab is full: 1 workspace is running. Try again in a few minutes.';
    await expect.poll(() => second.locator('[data-terminal-status]').textContent(), { timeout: 15_000 }).toBe(message);
    expect(await terminalRegion(second).getAttribute('data-state')).toBe('connecting');
    expect(await screenText(second)).toContain(message);
    expect((await second.context().cookies()).filter((c) => c.name === 'sc_session')).toEqual([]);

    await first.locator('.xterm').click();
    await first.keyboard.type('echo still-here-$((40+2))');
    await first.keyboard.press('Enter');
    await waitForScreen(first, /still-here-42$/m); // only the output reads 42 (the command says $((40+2)))
  });
});
