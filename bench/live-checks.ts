// Time from the end of a learner's build to its check turning green on the open lesson page, with
// no button pressed (live checks: the gateway reports the build, grading runs, the page is told).
// Both moments are taken on the page's own clock: the terminal printing the build's end, and the
// check's status changing. Baseline in the same run: the checks run by a button press, end to end.
//   node bench/live-checks.ts [samples=10]
import { launchBrowser } from '../tests/support/browser.ts';
import { copyIntoHome } from '../tests/support/lab.ts';
import { startServerProcess } from './support/server-process.ts';
import { percentileCells } from './support/stats.ts';

const SAMPLES = Math.min(30, Number(process.argv[2] ?? 10));
const row = (label: string, v: number[]) => `| ${label} | ${percentileCells(v, 0)} |`;

const server = await startServerProcess();
const browser = await launchBrowser();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/lessons/single-stage/`);
  await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
  await copyIntoHome(server.learners()[0]!, 'single-stage', 'solution', 'hello');
  await page.getByRole('textbox', { name: 'Terminal input' }).focus();
  const live: number[] = [];
  const pressed: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // A new program text each time, so the build makes a new image and the check really runs.
    const marker = `done-${i}-${Date.now()}`;
    await page.evaluate((marker) => {
      const w = window as unknown as { endAt?: number; greenAt?: number };
      w.endAt = undefined;
      w.greenAt = undefined;
      const item = document.querySelector<HTMLElement>('li[data-check-id="image-runs"]')!;
      delete item.dataset.checkStatus;
      const rows = document.querySelector('.xterm-rows')!;
      new MutationObserver((_, observer) => {
        if (w.endAt === undefined && rows.textContent?.includes(marker)) { w.endAt = performance.now(); observer.disconnect(); }
      }).observe(rows, { subtree: true, childList: true, characterData: true });
      new MutationObserver((_, observer) => {
        if (item.dataset.checkStatus === 'pass') { w.greenAt = performance.now(); observer.disconnect(); }
      }).observe(item, { attributes: true });
    }, marker);
    await page.keyboard.type(`sed -i 's/return 0;/return 0; \\/\\* ${i}-${Date.now()} \\*\\//' hello.c && docker build -q -t hello-world . >/dev/null && echo ${marker.replace('-', '""-')}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { greenAt?: number }).greenAt !== undefined, undefined, { timeout: 120_000, polling: 'raf' });
    const { endAt, greenAt } = await page.evaluate(() => window as unknown as { endAt: number; greenAt: number });
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
