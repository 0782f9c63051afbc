// A learner in the browser while their Docker engine stalls for ten seconds (SIGSTOP on a dockerd of
// the test's own, as under a build storm): the shell goes on answering, a reload in the middle of
// the stall finds the same shell with its earlier output, and nothing says the engine is down.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenText, terminalRegion, waitForScreen } from '../support/browser.ts';
import { waitFor } from '../support/engine.ts';
import { ownEngineWithServer } from '../support/own-engine.ts';

const STALL_MS = 10_000;
const own = ownEngineWithServer({ images: ['stagecraft/workspace:latest'] });
let browser: Browser;

beforeAll(async () => { browser = await launchBrowser(); });
afterAll(async () => { await browser?.close(); });

describe('an engine that stalls for ten seconds', () => {
  it('costs the learner nothing: the shell answers, a reload keeps its scrollback', async () => {
    const page = await browser.newPage();
    await page.goto(`${own.server.url}/lessons/single-stage/`);
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 60_000 });
    const type = async (line: string) => {
      await page.locator('.xterm').click();
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
    };
    await type('cd /tmp && echo before-$((20+1))');
    await waitForScreen(page, /before-21$/m);

    const logged = vi.spyOn(console, 'info');
    const frozenAt = Date.now();
    own.engine.freeze();
    try {
      await waitFor(() => logged.mock.calls.some(([line]) => String(line).includes('"event":"engine_slow"')), 'the health check finds the engine slow', STALL_MS);
      await type('echo during-$((20+2))');
      await waitForScreen(page, /during-22$/m, 5_000);
      await page.reload();
      await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 5_000 });
      await waitForScreen(page, /during-22$/m, 5_000); // replayed: the same shell
      // The stall's length is the scenario (a build storm), not a wait for anything.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, STALL_MS - (Date.now() - frozenAt))));
      await type('echo "still in $PWD"');
      await waitForScreen(page, /still in \/tmp$/m, 5_000);
      expect(logged.mock.calls.some(([line]) => String(line).includes('"event":"engine_down"'))).toBe(false);
    } finally {
      own.engine.thaw();
      logged.mockRestore();
    }
    const screen = await screenText(page);
    expect(screen).toMatch(/before-21$/m);
    expect(screen).not.toContain('not answering');
    expect(await terminalRegion(page).getAttribute('data-state')).toBe('ready');
    await page.close();
  });
});
