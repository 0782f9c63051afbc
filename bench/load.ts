// Load on loopback: N learners with open terminals type steadily while some of them build the
// lesson's image, then run their checks. The server runs in its own process (as in production).
// Prints echo latency under that load (target: p95 < 50 ms with 50 learners and 10 building) beside
// two baselines from the same run: one learner typing on a quiet server, and a bare
// `docker exec -it` pty (no Stagecraft at all) typing through the same load; the server's CPU and
// memory; build and check times; errors; and that nothing was lost.
// Bounded in count (N ≤ 60) and time (each phase has a deadline).
//   node bench/load.ts [learners=20] [builders=5] [seconds=20]     BENCH_PROFILE=1 for a CPU profile
import { performance } from 'node:perf_hooks';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { openTerminal, sessionCookie, type TerminalClient } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { runChecks } from '../tests/support/lab.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { cpuShares, cpuSnapshot } from './support/cpu-by-process.ts';
import { percentileCells } from './support/stats.ts';
import { KEY_EVERY_MS, sleep, typist } from './support/typist.ts';

const N = Math.min(60, Number(process.argv[2] ?? 20));
const BUILDERS = Math.min(N - 1, Number(process.argv[3] ?? 5));
const SECONDS = Math.min(120, Number(process.argv[4] ?? 20));
const SOLUTION = path.resolve(import.meta.dirname, '../lessons/single-stage/solution');
const row = (label: string, v: number[], digits = 1) => `| ${label} | ${percentileCells(v, digits)} | ${Math.max(...v).toFixed(digits)} |`;

const server = await startServerProcess();
const terminals: { terminal: TerminalClient; cookie: string }[] = [];
let bare: pty.IPty | undefined;
let direct: pty.IPty | undefined;
try {
  const rssEmpty = server.rss();
  let started = performance.now();
  for (let wave = 0; wave < N; wave += 5) {
    terminals.push(...await Promise.all(Array.from({ length: Math.min(5, N - wave) }, async () => {
      const cookie = await sessionCookie(server.url);
      return { terminal: await openTerminal(server.url, cookie), cookie };
    })));
  }
  const openSeconds = (performance.now() - started) / 1000;
  await sleep(2000);
  const rssIdle = server.rss();

  // Baseline 1: one learner typing on an otherwise quiet server.
  const quiet = terminals.at(-1)!.terminal;
  const alone = await typist((s) => quiet.type(s), () => quiet.output, performance.now() + 10_000);

  // Baseline 2: a bare docker exec pty into one typist's workspace, typing through the same load.
  const bareLearner = server.learners()[0]!;
  let bareOut = '';
  bare = pty.spawn('docker', ['exec', '-it', '-u', 'learner', `stagecraft-ws-${bareLearner}`, 'bash', '-l'], { name: 'xterm-256color', cols: 80, rows: 24, env: process.env as Record<string, string> });
  bare.onData((d) => { bareOut += d; });
  while (!bareOut.includes('$ ')) await sleep(20);
  // Baseline 3: the same workspace's shell entered directly (nsenter), with no engine in the path.
  const pid = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', `stagecraft-ws-${bareLearner}`], { encoding: 'utf8' }).trim();
  let directOut = '';
  direct = pty.spawn('nsenter', ['-t', pid, '-m', '-u', '-i', '-n', '-p', '-S', '1000', '-G', '1000', '--', 'bash', '--norc', '-i'], { name: 'xterm-256color', cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', PS1: '$ ', HOME: '/home/learner' } });
  direct.onData((d) => { directOut += d; });
  while (!directOut.includes('$ ')) await sleep(20);

  // Builders write the lesson's files first.
  await Promise.all(terminals.slice(0, BUILDERS).map(async ({ terminal }) => {
    for (const file of ['hello.c', 'Dockerfile']) {
      const lines = fs.readFileSync(path.join(SOLUTION, file), 'utf8').replace(/\n$/, '').split('\n');
      await run(terminal, `mkdir -p ~/hello && printf '%s\\n' ${lines.map((l) => `'${l.replace(/'/g, "'\\''")}'`).join(' ')} > ~/hello/${file}`);
    }
  }));
  const cpu0 = server.cpuSeconds();
  const machine0 = cpuSnapshot();
  started = performance.now();
  const deadline = started + SECONDS * 1000;
  let rssPeak = 0;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rss()); }, 250);
  const typing = terminals.slice(BUILDERS).map(({ terminal }) => typist((s) => terminal.type(s), () => terminal.output, deadline));
  const bareTyping = typist((s) => bare!.write(s), () => bareOut, deadline);
  const directTyping = typist((s) => direct!.write(s), () => directOut, deadline);
  const builds = terminals.slice(0, BUILDERS).map(async ({ terminal, cookie }) => {
    const t = performance.now();
    await run(terminal, 'cd ~/hello && docker build -q --no-cache -t hello-world . > /dev/null', 300_000);
    const build = performance.now() - t;
    const c = performance.now();
    const { results } = await runChecks(server.url, cookie, 'single-stage');
    return { build, check: performance.now() - c, passed: results.length > 0 && results.every((r) => r.status === 'pass') };
  });
  // Baseline for the checks: the engine's own docker run (a check's core), sampled under the same load.
  const bareRuns: number[] = [];
  let building = true;
  const bareRunning = (async () => {
    while (building) {
      const t = performance.now();
      await new Promise((resolve) => execFile('docker', ['run', '--rm', '--network', 'none', 'stagecraft/runtime:latest', 'true'], resolve));
      bareRuns.push(performance.now() - t);
      await sleep(2000); // a sample now and then: a loop of runs would be a load of its own
    }
  })();
  const built = await Promise.all(builds);
  building = false;
  await bareRunning;
  const typed = await Promise.all(typing);
  const bareTyped = await bareTyping;
  const directTyped = await directTyping;
  clearInterval(sampler);
  const wall = (performance.now() - started) / 1000;
  const cpuShare = (server.cpuSeconds() - cpu0) / wall;
  const machine = cpuShares(machine0, cpuSnapshot());
  const echoes = typed.flatMap((t) => t.echoes);
  const lost = typed.reduce((sum, t) => sum + t.lost, 0);
  // Nothing lost: every terminal is still open and answers, and each builder's image is there.
  let answering = 0;
  for (const { terminal } of terminals) if ((await run(terminal, 'echo ok$((1+1))', 30_000).catch(() => '')).includes('ok2')) answering++;

  console.log(`\nLoad on loopback, ${new Date().toISOString()}, node ${process.version}: ${N} learners with open terminals (opened in ${openSeconds.toFixed(1)} s, 5 at a time); ` +
    `${N - BUILDERS} type a key every ${KEY_EVERY_MS} ms for ${SECONDS} s while ${BUILDERS} build with --no-cache and run their checks. The server runs in its own process.\n`);
  console.log('| measure | n | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|');
  console.log(row('echo under load, through the server (ms)', echoes));
  console.log(row('baseline: bare docker exec -it pty under the same load (ms)', bareTyped.echoes));
  console.log(row('baseline: the same shell entered with nsenter, no engine in the path (ms)', directTyped.echoes));
  console.log(row('baseline: one learner on a quiet server (ms)', alone.echoes));
  console.log(row('build, single-stage, --no-cache (ms)', built.map((x) => x.build), 0));
  console.log(row('checks, single-stage, after the build (ms)', built.map((x) => x.check), 0));
  console.log(row('baseline: bare docker run --rm of the runtime image, same load (ms)', bareRuns, 0));
  console.log(`\nthroughput: ${(echoes.length / wall).toFixed(0)} keystrokes echoed per second; ${BUILDERS} builds and check runs done in ${(Math.max(...built.map((x) => x.build + x.check)) / 1000).toFixed(1)} s`);
  console.log(`server CPU while under load: ${(cpuShare * 100).toFixed(0)}% of one core (2 cores here); busiest on the machine: ${machine}`);
  console.log(`server memory: ${(rssEmpty / 1e6).toFixed(0)} MB with no learner; ${((rssIdle - rssEmpty) / N / 1e6).toFixed(2)} MB per idle connected learner; ` +
    `peak ${(rssPeak / 1e6).toFixed(0)} MB under load, ${((rssPeak - rssEmpty) / N / 1e6).toFixed(2)} MB per learner`);
  console.log(`lost: ${lost} keystrokes without an echo within 5 s (bare pty: ${bareTyped.lost}); ${N - answering} of ${N} terminals not answering at the end; ` +
    `builders whose checks all passed: ${built.filter((x) => x.passed).length} of ${BUILDERS}`);
} finally {
  bare?.kill();
  direct?.kill();
  for (const { terminal } of terminals) await terminal.close().catch(() => undefined);
  await server.cleanup();
}
