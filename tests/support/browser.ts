// Debian's Chromium driven by playwright-core (no browser download is possible here).
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const CHROMIUM = process.env.STAGECRAFT_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps dialing hosts this closed network refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized browser context (the 390×844, touch). */
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/** The terminal region of the UI contract. */
export const terminalRegion = (page: Page) => page.getByRole('region', { name: 'Terminal', exact: true });

/**
 * What xterm shows on screen now (its DOM renderer's rows), one line per logical line: a row that
 * fills the terminal's whole width is taken as wrapped and joined with the next one.
 */
export async function screenText(page: Page): Promise<string> {
  const rows = await page.locator('.xterm-rows > div').allTextContents();
  const cols = Math.max(...rows.map((row) => row.replace(/\s+$/, '').length));
  let text = '';
  for (const row of rows) {
    const line = row.replace(/\s+$/, '');
    text += line.length === cols ? row : `${line}\n`;
  }
  return text;
}

/** Waits until the visible terminal screen contains `text`. */
export async function waitForScreen(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const screen = await screenText(page);
    if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`terminal never showed ${text}; screen:\n${screen}`);
    await page.waitForTimeout(100);
  }
}

/** axe's serious and critical findings on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
