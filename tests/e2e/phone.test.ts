// A phone (390×844, touch): the lesson and the terminal are shown one at a time under a switch that
// stays at the top, so the terminal is one tap away; "Copy to terminal" waits for the shell and
// brings the terminal up with the command at the prompt; the check panel is one box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, PHONE, screenText, terminalRegion, waitForScreen } from '../support/browser.ts';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  context = await browser.newContext(PHONE);
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

/** Whether the element is on screen: laid out, visible, and inside the viewport at least in part. */
const onScreen = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => {
  const box = el.getBoundingClientRect();
  return getComputedStyle(el).visibility === 'visible' && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight;
});

const showButton = (page: Page, name: 'Lesson' | 'Terminal') => page.getByRole('button', { name, exact: true });

describe('on a phone', () => {
  it('reaches the terminal in one tap from deep in the lesson, and comes back to the same place', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/lessons/multi-stage/`);
    await page.getByRole('heading', { name: 'Check your work' }).scrollIntoViewIfNeeded();
    const readAt = await page.evaluate(() => window.scrollY);
    expect(readAt).toBeGreaterThan(2000);
    expect(await onScreen(page, '#terminal')).toBe(false);

    await showButton(page, 'Terminal').tap();
    expect(await onScreen(page, '#terminal')).toBe(true);
    expect(await showButton(page, 'Terminal').getAttribute('aria-pressed')).toBe('true');
    // The terminal fills the screen under the switch.
    const pane = await page.locator('#terminal').boundingBox();
    expect(pane!.y + pane!.height).toBeGreaterThan(844 - 2);
    await terminalRegion(page).and(page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    await waitForScreen(page, '$ ');

    await showButton(page, 'Lesson').tap();
    expect(await onScreen(page, '#terminal')).toBe(false);
    expect(await page.evaluate(() => window.scrollY)).toBe(readAt);
    await page.close();
  });

  it('brings a copied command to the prompt, waiting for a shell that is not ready yet or busy, and runs it on Enter', async () => {
    // A new learner: their workspace is still starting when the copy is asked for.
    const fresh = await browser.newContext(PHONE);
    const page = await fresh.newPage();
    await page.goto(`${server.url}/lessons/workspace/`);
    // Copied at once: the shell is still starting.
    await page.getByRole('button', { name: 'Copy to terminal' }).first().tap();
    expect(await onScreen(page, '#terminal')).toBe(true);
    await waitForScreen(page, /\$ whoami/, 30_000);
    // Sent before bash turned bracketed paste on, its line break would have run it.
    expect(await screenText(page)).not.toMatch(/^learner$/m);
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^learner$/m);

    // While a command runs the copy waits for the next prompt, and still does not run.
    await page.keyboard.type('sleep 3; echo slept\n');
    await waitForScreen(page, /\$ sleep 3; echo slept/);
    await showButton(page, 'Lesson').tap();
    await page.getByRole('button', { name: 'Copy to terminal' }).nth(1).tap();
    // The learner is told why nothing shows yet, until the prompt comes back and the copy lands.
    const status = page.locator('[data-terminal-status]');
    await expect.poll(() => status.textContent()).toContain('waits for the shell\'s prompt');
    await waitForScreen(page, /slept\n.*\$ docker version\ndocker image ls/, 30_000);
    await expect.poll(() => status.textContent()).toBe('Connected to your workspace.');
    expect(await screenText(page)).not.toContain('Stagecraft lab');

    // At a prompt it lands at once, and the terminal has the keyboard.
    await page.keyboard.press('Control+C');
    await showButton(page, 'Lesson').tap();
    await page.getByRole('button', { name: 'Copy to terminal' }).first().tap();
    await waitForScreen(page, /\^C\n.*\$ whoami\npwd/);
    await page.keyboard.press('Enter');
    await waitForScreen(page, /\^C\n(.*\n)+learner\n\/home\/learner\n/);
    await fresh.close();
  });

  it('leaves the terminal with Esc then Tab for the switch back to the lesson', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/lessons/workspace/`);
    await showButton(page, 'Terminal').tap();
    await terminalRegion(page).and(page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    await page.locator('#terminal textarea').focus();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Lesson');
    await page.close();
  });

  it('draws the check panel as one box, with nothing empty around it', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/lessons/single-stage/`);
    const boxes = await page.locator('sc-check-panel').evaluate((el) => el.getClientRects().length);
    expect(boxes).toBe(1);
    expect(await page.locator('[data-check-summary]').isVisible()).toBe(false);
    await page.close();
  });
});
