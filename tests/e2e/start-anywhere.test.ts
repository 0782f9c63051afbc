// Any lesson can be started first (issue 16): a new learner opens why-small before the lessons it
// builds on, gets its starting files from the page, builds the two images the lesson compares as
// it says, and passes its checks. A reset asks first and keeps the old folder.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, seriousViolations, waitForScreen } from '../support/browser.ts';
import { typeFigures } from '../support/figures.ts';

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const status = () => page.locator('sc-lesson-files [data-status]');

describe('why-small, started first', () => {
  it('offers the starting files, with the command it runs, and no serious accessibility violation', async () => {
    await page.goto(`${server.url}/lessons/why-small/`);
    const box = page.getByRole('region', { name: 'Starting here?' });
    await expect.poll(() => box.textContent()).toContain('/run/stagecraft/lesson-files why-small');
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('gets them into ~/hello, builds both images as the lesson says, and passes every check', async () => {
    await page.getByRole('button', { name: 'Get the starting files' }).click();
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toContain('The starting files of the why-small lesson are in ~/hello');
    await page.locator('.xterm').click();
    await page.keyboard.type('cd ~/hello && docker build -q -f Dockerfile.single -t hello-world . && docker build -q -t hello-world-small . && echo built-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^built-42$/m, 180_000);
    await typeFigures(page, 'why-small');
    await page.getByRole('button', { name: /^Check/ }).click();
    const checks = (await import(path.resolve(import.meta.dirname, '../../lessons/why-small/checks.ts'))).default as { checks: { id: string; profiles?: string[] }[] };
    const results = page.getByRole('region', { name: 'Check results' });
    for (const { id } of checks.checks.filter((c) => !c.profiles || c.profiles.includes('offline'))) {
      await results.locator(`[data-check-id="${id}"][data-check-status="pass"]`).waitFor({ timeout: 60_000 });
    }
  });

  it('resets the lesson only once the learner says yes, keeping the old folder as a dated copy', async () => {
    await page.locator('.xterm').click();
    await page.keyboard.type('clear; echo mine > ~/hello/notes.txt; echo noted-$((2+2))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^noted-4$/m);
    const reset = page.getByRole('button', { name: 'Reset this lesson' });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await reset.click();
    expect(await status().textContent()).toContain('The starting files of the why-small lesson'); // unchanged: nothing ran
    page.once('dialog', (dialog) => void dialog.accept());
    await reset.click();
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/Your earlier ~\/hello is kept as ~\/hello\.\d{4}-\d\d-\d\d-\d{6}\./);
    await page.locator('.xterm').click();
    await page.keyboard.type('clear; cat ~/hello.*/notes.txt; ls ~/hello | tr "\\n" ","; echo');
    await page.keyboard.press('Enter');
    const files = fs.readdirSync(path.resolve(import.meta.dirname, '../../lessons/why-small/files')).filter((n) => n !== '.gitkeep').sort();
    await waitForScreen(page, new RegExp(`^${files.join(',').replace(/\./g, '\\.')},`, 'm'));
    expect(await waitForScreen(page, /^mine$/m)).toBeTruthy();
  });
});
