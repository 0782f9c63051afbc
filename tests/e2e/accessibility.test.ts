// axe on every page of the site (course page, every lesson, the 404 page), on a desktop and on a
// phone: no serious violation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, PHONE, seriousViolations } from '../support/browser.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const lessons = fs.readdirSync(path.join(ROOT, 'content/lessons')).map((file) => file.replace(/\.mdx?$/, ''));
let server: TestServer;
let browser: Browser;
let desktop: BrowserContext;
let phone: BrowserContext;
const PAGES = ['/', ...lessons.map((slug) => `/lessons/${slug}/`), '/join/', '/instructor/', '/no-such-page'];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  phone = await browser.newContext(PHONE);
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('accessibility', () => {
  it.each(PAGES.flatMap((url) => [[url, 'desktop'], [url, 'phone']]))('%s has no serious axe violation (%s)', async (url, size) => {
    const page = await (size === 'phone' ? phone : desktop).newPage();
    await page.goto(`${server.url}${url}`);
    // A lesson is settled once its terminal is ready (the network never goes quiet: the terminal's
    // socket and the checks' stream stay open).
    if (url.startsWith('/lessons/')) await page.locator('section[data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
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

  it('the terminal shown alone on a phone has no serious violation either', async () => {
    const page = await phone.newPage();
    await page.goto(`${server.url}/lessons/multi-stage/`);
    await page.getByRole('button', { name: 'Terminal', exact: true }).tap();
    await page.locator('section[data-state="ready"]').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
