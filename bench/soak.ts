// Soak on loopback: a class over a whole lesson. N learners keep a terminal open for M minutes; the
// typists press a key every 200 ms, and the builders build the single-stage lesson with --no-cache
// again and again (a pause between builds, as a learner reads the result) and press Check after
// each build; every typist presses Check once per window too. The server runs in its own process.
// Prints, per 5-minute window: keystroke echo p50/p95/p99 through the server beside a bare
// `docker exec -it` pty typing through the same load, check latency, and the server's memory; then
// what was lost: terminals closed or not answering, files changed, keystrokes without an echo, and
// the engine_down events the server logged (each must be 0).
// Bounded in count (N ≤ 60) and time (M ≤ 60 minutes).
//   node bench/soak.ts [learners=50] [builders=10] [minutes=30] [window-minutes=5]
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { openTerminal, sessionCookie, type TerminalClient } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { runChecks } from '../tests/support/lab.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { percentileCells } from './support/stats.ts';
import { sleep, typist } from './support/typist.ts';

const N = Math.min(60, Number(process.argv[2] ?? 50));
const BUILDERS = Math.min(N - 1, Number(process.argv[3] ?? 10));
const MINUTES = Math.min(60, Number(process.argv[4] ?? 30));
const WINDOW_MS = Number(process.argv[5] ?? 5) * 60_000;
const PAUSE_BETWEEN_BUILDS_MS = 30_000;
const SOLUTION = path.resolve(import.meta.dirname, '../lessons/single-stage/solution');

interface Learner { terminal: TerminalClient; cookie: string; file: string }

const server = await startServerProcess();
const learners: Learner[] = [];
let bare: pty.IPty | undefined;
try {
  for (let wave = 0; wave < N; wave += 5) {
    learners.push(...await Promise.all(Array.from({ length: Math.min(5, N - wave) }, async (_, i) => {
      const cookie = await sessionCookie(server.url);
      const terminal = await openTerminal(server.url, cookie);
      const file = `soak-${wave + i}-${Date.now()}`;
      await run(terminal, `echo ${file} > ~/soak.txt`);
      return { terminal, cookie, file };
    })));
  }
  for (const { terminal } of learners.slice(0, BUILDERS)) {
    for (const name of ['hello.c', 'Dockerfile']) {
      const lines = fs.readFileSync(path.join(SOLUTION, name), 'utf8').replace(/\n$/, '').split('\n');
      await run(terminal, `mkdir -p ~/hello && printf '%s\\n' ${lines.map((l) => `'${l.replace(/'/g, "'\\''")}'`).join(' ')} > ~/hello/${name}`);
    }
  }
  // The baseline: a bare docker exec pty into one typist's workspace, typing through the same load.
  let bareOut = '';
  bare = pty.spawn('docker', ['exec', '-it', '-u', 'learner', `stagecraft-ws-${server.learners()[0]!}`, 'bash', '-l'], { name: 'xterm-256color', cols: 80, rows: 24, env: process.env as Record<string, string> });
  bare.onData((d) => { bareOut += d; }); // a few bytes a key: 30 minutes of typing is some 50 KB
  while (!bareOut.includes('$ ')) await sleep(20);

  const windows = Math.ceil((MINUTES * 60_000) / WINDOW_MS);
  const perWindow = Array.from({ length: windows }, () => ({ echo: [] as number[], bare: [] as number[], check: [] as number[], builds: 0, rssMax: 0, rssMin: Infinity }));
  const started = performance.now();
  const deadline = started + MINUTES * 60_000;
  const windowOf = (at: number) => perWindow[Math.min(windows - 1, Math.floor((at - started) / WINDOW_MS))]!;
  const downBefore = server.events('engine_down');
  const sampler = setInterval(() => {
    const w = windowOf(performance.now());
    const rss = server.rss();
    w.rssMax = Math.max(w.rssMax, rss);
    w.rssMin = Math.min(w.rssMin, rss);
  }, 10_000);

  const check = async (cookie: string) => {
    const t = performance.now();
    const { results } = await runChecks(server.url, cookie, 'single-stage');
    windowOf(t).check.push(performance.now() - t);
    return results;
  };
  let failedBuilds = 0;
  const builders = learners.slice(0, BUILDERS).map(async ({ terminal, cookie }, i) => {
    await sleep((i * PAUSE_BETWEEN_BUILDS_MS) / BUILDERS); // builders start in turn, not at once
    while (performance.now() < deadline) {
      const out = await run(terminal, 'cd ~/hello && docker build -q --no-cache -t hello-world . > /dev/null; echo "exit=$?"', 300_000);
      if (!out.includes('exit=0')) failedBuilds++;
      windowOf(performance.now()).builds++;
      await check(cookie);
      await sleep(PAUSE_BETWEEN_BUILDS_MS);
    }
  });
  // Each typist presses Check once a window, at a random moment in it.
  const typistChecks = learners.slice(BUILDERS).map(async ({ cookie }) => {
    for (let w = 0; w < windows; w++) {
      const at = started + w * WINDOW_MS + Math.random() * WINDOW_MS;
      if (at > deadline) break;
      await sleep(Math.max(0, at - performance.now()));
      await check(cookie);
    }
  });
  const typing = learners.slice(BUILDERS).map(({ terminal }) => typist((s) => terminal.type(s), () => terminal.output, deadline, (at, ms) => windowOf(at).echo.push(ms)));
  const bareTyping = typist((s) => bare!.write(s), () => bareOut, deadline, (at, ms) => windowOf(at).bare.push(ms));
  await Promise.all([...builders, ...typistChecks]);
  const typed = await Promise.all(typing);
  const bareTyped = await bareTyping;
  clearInterval(sampler);

  // What was lost: terminals closed or not answering, and files not as they were written.
  const closed = learners.filter(({ terminal }) => terminal.closeCode !== undefined).length;
  let notAnswering = 0;
  let filesLost = 0;
  for (const { terminal, file } of learners) {
    const out = terminal.closeCode === undefined ? await run(terminal, 'cat ~/soak.txt', 30_000).catch(() => undefined) : undefined;
    if (out === undefined) notAnswering++;
    else if (out.trim() !== file) filesLost++;
  }

  const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
  console.log(`\nSoak on loopback, ${new Date().toISOString()}, node ${process.version}: ${N} learners for ${MINUTES} min; ${N - BUILDERS} type a key every 200 ms, ` +
    `${BUILDERS} build single-stage with --no-cache in turn (${PAUSE_BETWEEN_BUILDS_MS / 1000} s between builds) and press Check after each; every typist presses Check once a window. The server runs in its own process.\n`);
  console.log('| window | echo through the server: n, p50, p95, p99 (ms) | baseline, bare docker exec pty: n, p50, p95, p99 (ms) | checks: n, p50, p95, p99 (ms) | builds | server RSS min–max (MB) |');
  console.log('|---|---|---|---|---|---|');
  perWindow.forEach((w, i) => {
    const cells = (v: number[], digits: number) => percentileCells(v, digits).replaceAll(' | ', ', ');
    console.log(`| ${(i * WINDOW_MS) / 60_000}–${((i + 1) * WINDOW_MS) / 60_000} min | ${cells(w.echo, 1)} | ${cells(w.bare, 1)} | ${cells(w.check, 0)} | ${w.builds} | ${mb(w.rssMin)}–${mb(w.rssMax)} |`);
  });
  const lostKeys = typed.reduce((sum, t) => sum + t.lost, 0);
  console.log(`\nterminals lost: ${closed} closed, ${notAnswering - closed} more not answering (of ${N}); files lost: ${filesLost}; ` +
    `engine_down events: ${server.events('engine_down') - downBefore}; builds that failed: ${failedBuilds}; ` +
    `keystrokes without an echo within 5 s: ${lostKeys} (bare pty: ${bareTyped.lost})`);
} finally {
  bare?.kill();
  for (const { terminal } of learners) await terminal.close().catch(() => undefined);
  await server.cleanup();
}
