// axe on every page of the site (course page, every lesson, the 404 page): no serious violation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, seriousViolations } from '../support/browser.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const lessons = fs.readdirSync(path.join(ROOT, 'content/lessons')).map((file) => file.replace(/\.mdx?$/, ''));
let server: TestServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('accessibility', () => {
  it.each(['/', ...lessons.map((slug) => `/lessons/${slug}/`), '/join/', '/instructor/', '/no-such-page'])('%s has no serious axe violation', async (url) => {
    const page = await context.newPage();
    await page.goto(`${server.url}${url}`);
    await page.waitForLoadState('networkidle').catch(() => undefined); // a terminal keeps its socket open
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('the stacked layout of a narrow screen has no serious violation either', async () => {
    const narrow = await browser.newContext({ viewport: { width: 600, height: 900 } });
    const page = await narrow.newPage();
    await page.goto(`${server.url}/lessons/multi-stage/`);
    expect(await seriousViolations(page)).toEqual([]);
    await narrow.close();
  });
});
