// Live checks in Chromium: the learner builds in the terminal and the lesson's checks turn green by
// themselves, with no button pressed; on a later visit the page shows the stored verdicts at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, waitForScreen } from '../support/browser.ts';
import { copyIntoHome } from '../support/lab.ts';

let server: TestServer;
let browser: Browser;
let page: Page;
let checkPressed = 0;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('request', (request) => { if (request.method() === 'POST' && request.url().endsWith('/check')) checkPressed++; });
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const status = (id: string) => page.locator(`li[data-check-id="${id}"]`).getAttribute('data-check-status');

describe('live checks', () => {
  it('turn green by themselves once the learner\'s build ends', async () => {
    await page.goto(`${server.url}/lessons/single-stage/`);
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await waitForScreen(page, '$ ');
    expect(await status('image-built')).toBeNull();
    await copyIntoHome(server.learners()[0]!, 'single-stage', 'solution', 'hello');
    await page.getByRole('textbox', { name: 'Terminal input' }).focus();
    await page.keyboard.type('cd ~/hello && docker build -q -t hello-world . && echo built-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'built-42', 120_000);
    await page.locator('li[data-check-id="image-runs"][data-check-status="pass"]').waitFor({ timeout: 30_000 });
    expect(await status('image-built')).toBe('pass');
    expect(await page.locator('[data-check-summary]').textContent()).toMatch(/All checks passed/);
    expect(checkPressed).toBe(0);
  });

  it('show the stored verdicts on the next visit, before anything runs', async () => {
    await page.goto(`${server.url}/lessons/single-stage/`);
    await page.locator('li[data-check-id="image-runs"][data-check-status="pass"]').waitFor({ timeout: 15_000 });
    expect(checkPressed).toBe(0);
  });

  it('keep the button, as "check now"', async () => {
    await page.getByRole('button', { name: /^Check now/ }).click();
    await page.locator('[data-check-summary]').filter({ hasText: /All checks passed/ }).waitFor({ timeout: 30_000 });
    expect(checkPressed).toBe(1);
  });
});
