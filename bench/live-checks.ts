// Time from the end of a learner's build to its check turning green on the open lesson page, with
// no button pressed (live checks: the gateway reports the build, grading runs, the page is told).
// Both moments are taken on the page's own clock, polled every 10 ms: the terminal printing the
// build's end, and the check's status turning to pass. Baseline in the same run: the checks run by a
// button press, end to end.
//   node bench/live-checks.ts [samples=10]
import type { Page } from 'playwright-core';
import { launchBrowser, waitForScreen } from '../tests/support/browser.ts';
import { copyIntoHome } from '../tests/support/lab.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { percentileCells } from './support/stats.ts';

const SAMPLES = Math.min(30, Number(process.argv[2] ?? 10));
const row = (label: string, v: number[]) => `| ${label} | ${percentileCells(v, 0)} |`;

const server = await startServerProcess();
const browser = await launchBrowser();
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(`${server.url}/lessons/single-stage/`);
  await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
  await waitForScreen(page, '$ ');
  await copyIntoHome(server.learners()[0]!, 'single-stage', 'solution', 'hello');
  await page.getByRole('textbox', { name: 'Terminal input' }).focus();
  await page.keyboard.type('cd ~/hello');
  await page.keyboard.press('Enter');
  const live: number[] = [];
  const pressed: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // A new program text each time, so the build makes a new image and the check really runs.
    const marker = `done-${i}-${Date.now()}`;
    await page.evaluate(() => { delete document.querySelector<HTMLElement>('li[data-check-id="image-runs"]')!.dataset.checkStatus; });
    await page.getByRole('textbox', { name: 'Terminal input' }).focus(); // the button took it last round
    await page.keyboard.type(`sed -i 's/return 0;/return 0; \\/\\* ${i}-${Date.now()} \\*\\//' hello.c && docker build -q -t hello-world . >/dev/null && echo ${marker.replace('-', '""-')}`);
    await page.keyboard.press('Enter');
    // Each moment is taken in the page, on its own clock, polled every 10 ms.
    const endAt = await pageClockWhen(page, (m) => [...document.querySelectorAll('.xterm-rows > div')].some((row) => row.textContent?.includes(m)), marker);
    const greenAt = await pageClockWhen(page, () => document.querySelector<HTMLElement>('li[data-check-id="image-runs"]')?.dataset.checkStatus === 'pass', '');
    live.push(greenAt - endAt);
    // Baseline: the same checks on the same (now cached) image, by pressing the button.
    const started = Date.now();
    await page.getByRole('button', { name: /^Check now/ }).click();
    await page.locator('[data-check-summary]').filter({ hasText: /All checks passed/ }).waitFor({ timeout: 60_000 });
    pressed.push(Date.now() - started);
  }
  console.log(`\nBuild end to a green check on the page, ${new Date().toISOString()}, ${SAMPLES} samples\n`);
  console.log('| measure (ms) | n | p50 | p95 | p99 |\n|---|---|---|---|---|');
  console.log(row('live: the build ends in the terminal → image-runs turns green (no button)', live));
  console.log(row('baseline: Check now pressed → results shown (same image, cached evidence)', pressed));
} finally {
  await browser.close();
  await server.cleanup();
}

/** The page's clock (performance.now) at the first poll that finds `condition` true; 2 minutes at most. */
async function pageClockWhen(page: Page, condition: (arg: string) => boolean, arg: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const at = await page.evaluate(({ source, arg }) => ((0, eval)(source) as (a: string) => boolean)(arg) ? performance.now() : undefined, { source: condition.toString(), arg });
    if (at !== undefined) return at;
    if (Date.now() > deadline) throw new Error(`never true within 2 minutes: ${condition.toString()} (${arg})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
