// Time from opening a lesson page in Chromium to a ready prompt: cold (a new learner: no workspace
// yet) and warm (the same learner opens the page again: same workspace, same shell, replayed),
// beside a bare `docker run -it` and a bare `docker exec -it` of the same image in the same run.
// Targets: ≤ 1 s p95 cold, ≤ 300 ms warm.
//   node bench/page-prompt.ts [samples=10]
import { execFileSync } from 'node:child_process';
import { launchBrowser } from '../tests/support/browser.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { BARE_WORKSPACE_RUN, dockerToPrompt } from './support/bare.ts';
import { percentileCells } from './support/stats.ts';

const SAMPLES = Math.min(30, Number(process.argv[2] ?? 10));
const row = (label: string, v: number[]) => `| ${label} | ${percentileCells(v, 0)} |`;

/** Waits (30 s at most) until the server has `learners` (the visitors so far and the spare), each with a running workspace. */
async function spareRunning(learners: number): Promise<void> {
  const running = (id: string) => execFileSync('docker', ['inspect', '--format', '{{.State.Running}}', `stagecraft-ws-${id}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (spares === '0' || (server.learners().length >= learners && server.learners().every((id) => { try { return running(id); } catch { return false; } }))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no spare workspace was running after 30 s');
}

// As served: one spare learner, whose workspace is running before the page asks for a session.
// STAGECRAFT_SPARE_WORKSPACES=0 measures a visitor who finds none (a class arriving at once).
const spares = process.env.STAGECRAFT_SPARE_WORKSPACES ?? '1';
const server = await startServerProcess({ STAGECRAFT_SPARE_WORKSPACES: spares });
const browser = await launchBrowser();
try {
  const cold: number[] = [];
  const warm: number[] = [];
  const bareRun: number[] = [];
  const bareExec: number[] = [];
  const lesson = `${server.url}/lessons/single-stage/`;
  await spareRunning(1);
  for (let i = 0; i < SAMPLES; i++) {
    const context = await browser.newContext(); // a new learner: no cookie, no workspace
    // The page notes when the terminal turns ready, on its own clock (0 = navigation start):
    // polling from here would add the poll interval to every figure.
    await context.addInitScript(() => {
      new MutationObserver(() => {
        const w = window as unknown as { readyAt?: number };
        if (w.readyAt === undefined && document.querySelector('section[aria-label="Terminal"][data-state="ready"]')) w.readyAt = performance.now();
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    });
    const page = await context.newPage();
    const readyAt = async () => {
      await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
      return page.evaluate(() => (window as unknown as { readyAt: number }).readyAt);
    };
    await page.goto(lesson);
    cold.push(await readyAt());
    await spareRunning(i + 2); // the spare made after this visitor's start: not racing the reload
    await page.goto(lesson);
    warm.push(await readyAt());
    await context.close();
    bareRun.push(await dockerToPrompt(BARE_WORKSPACE_RUN));
    bareExec.push(await dockerToPrompt(['exec', '-it', '-u', 'learner', `stagecraft-ws-${server.learners()[0]}`, 'bash', '-l']));
    // The next cold sample takes the spare made after this one's: wait until it is running, as a
    // visitor arriving a little later would find it.
    await spareRunning(i + 2);
  }
  console.log(`\nLesson page to ready prompt in Chromium, ${new Date().toISOString()}, shell ${process.env.STAGECRAFT_SHELL ?? 'relay'}, ${spares} spare workspace(s), ${SAMPLES} samples\n`);
  console.log('| measure (ms) | n | p50 | p95 | p99 |\n|---|---|---|---|---|');
  console.log(row('cold: a new learner opens the lesson → ready prompt (workspace created)', cold));
  console.log(row('baseline: bare docker run -it, same image and limits → prompt', bareRun));
  console.log(row('warm: the same learner opens the lesson again → ready prompt', warm));
  console.log(row('baseline: bare docker exec -it bash -l → prompt', bareExec));
} finally {
  await browser.close();
  await server.cleanup();
}
