// Load on loopback: N learners with open terminals type steadily while some of them build the
// lesson's image, then run their checks. Prints echo latency under that load (target: p95 < 50 ms
// with 50 learners and 10 building), build and check times, errors, and that nothing was lost.
// Bounded in count (N ≤ 60) and time (each phase has a deadline).
//   node bench/load.ts [learners=20] [builders=5] [seconds=20]
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../tests/support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { runChecks } from '../tests/support/lab.ts';

const N = Math.min(60, Number(process.argv[2] ?? 20));
const BUILDERS = Math.min(N, Number(process.argv[3] ?? 5));
const SECONDS = Math.min(120, Number(process.argv[4] ?? 20));
const SOLUTION = path.resolve(import.meta.dirname, '../lessons/single-stage/solution');
const q = (values: number[], p: number) => (values.length ? [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]! : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await startTestServer();
const terminals: { terminal: TerminalClient; cookie: string }[] = [];
try {
  let started = performance.now();
  for (let wave = 0; wave < N; wave += 5) {
    terminals.push(...await Promise.all(Array.from({ length: Math.min(5, N - wave) }, async () => {
      const cookie = await sessionCookie(server.url);
      return { terminal: await openTerminal(server.url, cookie), cookie };
    })));
  }
  const openSeconds = (performance.now() - started) / 1000;
  // Builders write the lesson's files first.
  await Promise.all(terminals.slice(0, BUILDERS).map(async ({ terminal }) => {
    for (const file of ['hello.c', 'Dockerfile']) {
      const lines = fs.readFileSync(path.join(SOLUTION, file), 'utf8').replace(/\n$/, '').split('\n');
      await run(terminal, `mkdir -p ~/hello && printf '%s\\n' ${lines.map((l) => `'${l.replace(/'/g, "'\\''")}'`).join(' ')} > ~/hello/${file}`);
    }
  }));
  const echoes: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  // Typists: every learner not building echoes a key, about 5 keys a second each.
  const typing = terminals.slice(BUILDERS).map(async ({ terminal }) => {
    while (performance.now() < deadline) {
      const from = terminal.output.length;
      const t = performance.now();
      terminal.type('a');
      while (!terminal.output.slice(from).includes('a')) {
        if (performance.now() - t > 5000) { errors++; break; }
        await sleep(1);
      }
      echoes.push(performance.now() - t);
      terminal.type('\x7f');
      await sleep(200);
    }
  });
  started = performance.now();
  const builds = terminals.slice(0, BUILDERS).map(async ({ terminal, cookie }) => {
    const t = performance.now();
    await run(terminal, 'cd ~/hello && docker build -q --no-cache -t hello-world . > /dev/null', 300_000);
    const build = performance.now() - t;
    const c = performance.now();
    const { results } = await runChecks(server.url, cookie, 'single-stage');
    return { build, check: performance.now() - c, passed: results.every((r) => r.status === 'pass') };
  });
  const built = await Promise.all(builds);
  await Promise.all(typing);
  console.log(`\nLoad on loopback, ${new Date().toISOString()}: ${N} learners with open terminals (opened in ${openSeconds.toFixed(1)} s, 5 at a time), ${N - BUILDERS} typing ~5 keys/s for ${SECONDS} s while ${BUILDERS} build with --no-cache and run their checks\n`);
  console.log('| measure | n | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|');
  console.log(`| echo under load (ms) | ${echoes.length} | ${q(echoes, 0.5).toFixed(1)} | ${q(echoes, 0.95).toFixed(1)} | ${q(echoes, 0.99).toFixed(1)} | ${Math.max(...echoes).toFixed(1)} |`);
  const b = built.map((x) => x.build);
  const c = built.map((x) => x.check);
  console.log(`| build (ms) | ${b.length} | ${q(b, 0.5).toFixed(0)} | ${q(b, 0.95).toFixed(0)} | ${q(b, 0.99).toFixed(0)} | ${Math.max(...b).toFixed(0)} |`);
  console.log(`| checks (ms) | ${c.length} | ${q(c, 0.5).toFixed(0)} | ${q(c, 0.95).toFixed(0)} | ${q(c, 0.99).toFixed(0)} | ${Math.max(...c).toFixed(0)} |`);
  console.log(`\nechoes lost (no answer within 5 s): ${errors}; builders whose checks all passed: ${built.filter((x) => x.passed).length} of ${BUILDERS}`);
} finally {
  for (const { terminal } of terminals) await terminal.close().catch(() => undefined);
  await server.cleanup();
}
