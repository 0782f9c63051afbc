// With no Docker engine answering, a learner who opens a lesson reads why in the terminal panel
// (its status line, which screen readers hear, and the terminal itself), and the page keeps retrying.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, screenText, terminalRegion } from '../support/browser.ts';
import { NO_ENGINE } from '../../server/sandbox/pool.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'down-')), 'docker.sock');
  server = await startTestServer({ STAGECRAFT_ENGINES: `unix://${missing}` });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
});

describe('no engine answering', () => {
  it('the terminal panel says so, and keeps retrying instead of hanging', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/lessons/single-stage/`);
    const status = page.locator('[data-terminal-status]');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe(NO_ENGINE);
    expect(await terminalRegion(page).getAttribute('data-state')).toBe('connecting');
    expect(await screenText(page)).toContain(NO_ENGINE);
    await page.close();
  });
});
