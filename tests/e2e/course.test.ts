// The whole course in Chromium, as a learner takes it: for each lesson, open it, type the reference
// solution's files and commands into the terminal, answer the lesson's predictions, type its
// measurements into the page, press Check, and see every check pass.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, waitForScreen } from '../support/browser.ts';
import { typeFigures } from '../support/figures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ORDER = ['workspace', 'single-stage', 'multi-stage', 'why-small', 'cmake', 'going-further'];
let server: TestServer;
let browser: Browser;
let page: Page;
let marker = 0;
/** The answer each prediction of the course proves right. */
const PREDICTED: Record<string, string> = {
  'broken-continuation': 'Stop before running any step, with an error about line 3',
  'cpp-runtime': 'Fail to start, because a library the program needs is not in the image',
  'shell-form-on-scratch': 'Fail to start, because there is no shell to run the command',
};
const timings: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
});

afterAll(async () => {
  console.log(`e2e course: ${timings.join('; ')}`);
  await browser?.close();
  await server?.cleanup();
});

/** Types a line and presses Enter, then waits for the shell to print a marker computed after it. */
async function type(line: string, timeout = 120_000) {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  const n = ++marker;
  await page.keyboard.type(`clear; echo typed-$((${n}*1))`);
  await page.keyboard.press('Enter');
  await waitForScreen(page, new RegExp(`^typed-${n}$`, 'm'), timeout);
}

/** The checks of a lesson, from its checks file. */
async function checksOf(slug: string): Promise<{ workdir: string; checks: { id: string }[] } | undefined> {
  const file = path.join(ROOT, 'lessons', slug, 'checks.ts');
  return fs.existsSync(file) ? (await import(file)).default : undefined;
}

describe('the whole course', () => {
  for (const slug of ORDER) {
    it(`${slug}: typed in and checked`, async () => {
      const started = Date.now();
      await page.goto(`${server.url}/lessons/${slug}/`);
      await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
      await page.locator('.xterm').click();
      const lab = await checksOf(slug);
      // Each prediction first, as the lesson asks before its failure: the answer the lesson proves right.
      for (const prediction of await page.locator('sc-predict').all()) {
        await prediction.getByRole('radio', { name: PREDICTED[await prediction.getAttribute('data-question') ?? '']! }).check();
        await prediction.getByRole('button', { name: 'Save my prediction' }).click();
        await prediction.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      }
      await page.locator('.xterm').click();
      const solution = path.join(ROOT, 'lessons', slug, 'solution');
      await type(`mkdir -p ~/${lab?.workdir ?? 'work'} && cd ~/${lab?.workdir ?? 'work'}`);
      for (const file of fs.readdirSync(solution).filter((f) => f !== 'commands.sh')) {
        // Each file as the learner would paste it: a heredoc, line by line.
        await page.keyboard.type(`cat > ${file} <<'STAGECRAFT_EOF'`);
        await page.keyboard.press('Enter');
        for (const line of fs.readFileSync(path.join(solution, file), 'utf8').replace(/\n$/, '').split('\n')) {
          await page.keyboard.type(line);
          await page.keyboard.press('Enter');
        }
        await type('STAGECRAFT_EOF');
      }
      for (const command of fs.readFileSync(path.join(solution, 'commands.sh'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))) {
        await type(command);
      }
      if (slug === 'multi-stage') {
        await page.getByRole('button', { name: 'Show the layers of my images' }).click();
        await page.getByRole('table', { name: 'Layers of hello-world-small, newest first' }).waitFor();
      }
      await typeFigures(page, slug);
      if (!lab) return void timings.push(`${slug} ${Date.now() - started} ms`);
      const checkStarted = Date.now();
      await page.getByRole('button', { name: /^Check/ }).click();
      const results = page.getByRole('region', { name: 'Check results' });
      for (const { id } of lab.checks) await results.locator(`[data-check-id="${id}"][data-check-status="pass"]`).waitFor({ timeout: 30_000 });
      // Live checks may have turned every check green before the button's own answer, which writes the summary.
      await page.locator('[data-check-summary]', { hasText: /All checks passed/ }).waitFor({ timeout: 30_000 });
      timings.push(`${slug} ${Date.now() - started} ms (checks ${Date.now() - checkStarted} ms)`);
    });
  }

  it('gives back the predictions made and the figures typed, after a reload', async () => {
    await page.goto(`${server.url}/lessons/single-stage/`);
    await expect.poll(() => page.getByRole('radio', { name: PREDICTED['broken-continuation']! }).isChecked()).toBe(true);
    await page.goto(`${server.url}/lessons/multi-stage/`);
    await expect.poll(() => page.locator('#measure-measured-ratio').inputValue()).toMatch(/^\d+$/);
  });

  it('shows the previous lesson as done in the lesson navigation', async () => {
    await page.goto(`${server.url}/lessons/why-small/`);
    await expect.poll(() => page.locator('a[rel="prev"] [data-progress]').textContent()).toMatch(/^Done: \d+ of \d+ points$/);
  });

  it('shows every lesson with checks as done on the course page', async () => {
    await page.goto(`${server.url}/`);
    for (const slug of ORDER) {
      if (!(await checksOf(slug))) continue;
      await expect.poll(() => page.locator(`[data-lesson="${slug}"] [data-progress]`).getAttribute('data-progress')).toBe('passed');
    }
  });
});
