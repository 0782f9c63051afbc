// A learner takes the single-stage lesson in Chromium: keyboard into the terminal, type the
// lesson's steps, see the build fail on the misprinted line, fix it, build, list, run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, screenText, seriousViolations, terminalRegion, waitForScreen } from '../support/browser.ts';

let server: TestServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  // axe needs a page of an explicit context.
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  // Script errors and Content-Security-Policy refusals both surface as console errors.
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

/** Types a line as keystrokes and presses Enter. */
async function typeLine(line: string) {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

describe('the single-stage lesson', () => {
  it('lists the lesson on the home page, with no serious accessibility violation', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /hello world in C/i }).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('opens the lesson with a ready prompt', async () => {
    const started = Date.now();
    await page.goto(`${server.url}/lessons/single-stage/`);
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await waitForScreen(page, '$ ');
    console.log(`e2e: lesson page to ready prompt in ${Date.now() - started} ms (cold workspace)`);
    expect(await terminalRegion(page).getAttribute('data-state')).toBe('ready');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('reaches the terminal with the keyboard alone', async () => {
    const input = page.getByRole('textbox', { name: 'Terminal input' });
    for (let i = 0; i < 40 && !(await input.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  // Issue 16: the terminal is the page's last control, so the browser took focus out of the page.
  it('leaves the terminal with Esc then Tab for the Check button, and with Esc then Shift+Tab for the divider before it', async () => {
    const input = page.getByRole('textbox', { name: 'Terminal input' });
    const focused = () => page.evaluate(() => { const el = document.activeElement as HTMLElement | null; return el ? `${el.tagName.toLowerCase()} ${el.textContent?.trim() || el.getAttribute('aria-label') || ''}` : 'none'; });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button Check now');
    await input.focus();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('div Resize lesson and terminal');
    await input.focus();
  });

  it('pastes a command with Copy to terminal, and runs it only on Enter', async () => {
    await page.getByRole('button', { name: 'Copy to terminal' }).first().click();
    await waitForScreen(page, /\$ mkdir -p ~\/hello && cd ~\/hello *$/m);
    expect(await screenText(page)).not.toMatch(/~\/hello\$ *$/m);
    await page.keyboard.press('Enter');
    await waitForScreen(page, /~\/hello\$ *$/m);
  });

  it('builds and runs hello-world by typing the lesson\'s steps', async () => {
    await typeLine('mkdir -p ~/hello && cd ~/hello');
    await typeLine("cat > hello.c <<'EOF'");
    for (const line of ['#include <stdio.h>', 'int main (void)', '{', '  printf ("Hello, world!\\n");', '  return 0;', '}', 'EOF']) await typeLine(line);
    // The Dockerfile as the book prints it, offline profile: the broken line continuation.
    await typeLine("cat > Dockerfile <<'EOF'");
    for (const line of ['FROM stagecraft/toolchain', 'RUN gcc --version &&', 'make --version', 'RUN mkdir /app', 'WORKDIR /app',
      'COPY . /app', 'RUN mkdir bin', 'RUN gcc -Wall hello.c -o bin/hello', 'CMD /app/bin/hello', 'EOF']) await typeLine(line);
    await typeLine('docker build -t hello-world .');
    await waitForScreen(page, /unknown instruction: MAKE/i);
    // The fix: continue the line with a backslash.
    await typeLine("sed -i 's/&&$/\\&\\& \\\\/' Dockerfile && head -3 Dockerfile");
    await waitForScreen(page, 'gcc --version && \\');
    await typeLine('clear; docker build -t hello-world .');
    await waitForScreen(page, 'Successfully tagged hello-world:latest', 120_000);
    await typeLine('clear; docker image ls');
    await waitForScreen(page, /hello-world\s+latest/);
    await typeLine('clear; docker run --rm hello-world');
    const screen = await waitForScreen(page, /^Hello, world!$/m);
    expect(screen).toMatch(/^Hello, world!$/m);
  });

  it('passes every check when Check is pressed, and says so in the results region', async () => {
    await page.getByRole('button', { name: /^Check/ }).click();
    const results = page.getByRole('region', { name: 'Check results' });
    for (const id of ['image-built', 'image-runs']) {
      await results.locator(`[data-check-id="${id}"][data-check-status="pass"]`).waitFor({ timeout: 30_000 });
    }
    await expect.poll(() => page.locator('[data-check-summary]').textContent()).toMatch(/All checks passed/);
    await page.locator('.xterm').click();
  });

  it('shows the lesson as done on the course page', async () => {
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.locator('[data-lesson="single-stage"] [data-progress]').textContent()).toBe('Done: 3 of 3 points');
    await page.goto(`${server.url}/lessons/single-stage/`);
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.locator('.xterm').click();
  });

  it('comes back to the same shell after a reload', async () => {
    await typeLine('clear; X=42; cd /tmp');
    await page.reload();
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.locator('.xterm').click();
    await typeLine('clear; echo "$X $PWD"');
    await waitForScreen(page, /^42 \/tmp$/m);
  });

  // Issue 15: a shell that Ctrl+C cannot bring back (a kept one still reading a huge paste, too).
  it('starts a new shell from the New shell button, asking first, and keeps the old output on the page', async () => {
    await typeLine("clear; echo old-$((2*3)); trap '' INT; while :; do :; done");
    await waitForScreen(page, /^old-6$/m);
    const newShell = page.getByRole('button', { name: 'New shell' });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await newShell.focus();
    await page.keyboard.press('Enter');
    expect(await terminalRegion(page).getAttribute('data-state')).toBe('ready'); // "no" changed nothing
    page.once('dialog', (dialog) => void dialog.accept());
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'You asked for a new shell');
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.locator('.xterm').click();
    await typeLine('echo "x=${X:-unset}"');
    const screen = await waitForScreen(page, /^x=unset$/m);
    expect(screen).toMatch(/^old-6$/m);
  });

  it('is unharmed by hostile escape sequences in output (title, clipboard, device queries)', async () => {
    const title = await page.title();
    // OSC 0 sets the window title, OSC 52 writes the clipboard, DCS and CSI queries ask for replies.
    await typeLine(String.raw`clear; printf '\033]0;pwned\007\033]52;c;cHduZWQ=\007\033P+q544e\033\\\033[6n\033[21t\033]8;;javascript:alert(1)\033\\link\033]8;;\033\\\n'; echo still-$((6*7))`);
    const screen = await waitForScreen(page, 'still-42');
    // The sequences were interpreted, not shown: their payloads are gone, the link's text remains.
    expect(screen).not.toContain('pwned');
    expect(screen).toMatch(/^link$/m);
    expect(await page.title()).toBe(title);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    await typeLine('clear; echo after-$((1+1))');
    await waitForScreen(page, /^after-2$/m);
  });

  it('logged no script error or Content-Security-Policy refusal on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
