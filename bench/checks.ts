// Time to run each lesson's checks (the button's POST, server side to answer), beside the engine
// primitives a check is made of, timed in the same run: `docker run --rm` of the learner's image and
// `docker image inspect`. One learner; each lesson's reference solution is built first, then its
// checks run N times: the first run after a build, then repeats (same images: evidence is cached by
// image id). Target: a check run ≤ 1 s p95.
//   node bench/checks.ts [runs=10]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTerminal, sessionCookie } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { copyIntoHome, runChecks } from '../tests/support/lab.ts';
import { loadLessons } from '../server/grading/index.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { percentileCells } from './support/stats.ts';

const RUNS = Math.min(50, Number(process.argv[2] ?? 10));
const ROOT = path.resolve(import.meta.dirname, '..');
const row = (label: string, v: number[]) => `| ${label} | ${percentileCells(v, 0)} |`;
const timed = (fn: () => void) => { const t = performance.now(); fn(); return performance.now() - t; };

const server = await startServerProcess();
const lines: string[] = [];
const firsts: number[] = [];
try {
  const cookie = await sessionCookie(server.url);
  const terminal = await openTerminal(server.url, cookie);
  const [learner] = server.learners();
  for (const lab of (await loadLessons(ROOT)).values()) {
    const { workdir } = (await import(path.join(ROOT, 'lessons', lab.slug, 'checks.ts'))).default as { workdir: string };
    await copyIntoHome(learner!, lab.slug, 'solution', workdir);
    await run(terminal, `cd ~/${workdir} && bash commands.sh > /dev/null 2>&1`, 300_000);
    const first: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const { results } = await runChecks(server.url, cookie, lab.slug);
      (i === 0 ? first : again).push(performance.now() - started);
      if (!results.every((r) => r.status === 'pass')) throw new Error(`${lab.slug}: the reference solution did not pass: ${JSON.stringify(results)}`);
    }
    firsts.push(...first);
    lines.push(row(`${lab.slug}: ${lab.checks.length} checks, first run after the build`, first), row(`${lab.slug}: repeated, same images`, again));
  }
  // The primitives, on the learner's own single-stage image (engine name sc-<learner>/hello-world).
  const image = `sc-${learner}/hello-world`;
  const runs = Array.from({ length: RUNS }, () => timed(() => execFileSync('docker', ['run', '--rm', '--network', 'none', image], { stdio: 'ignore' })));
  const inspects = Array.from({ length: RUNS }, () => timed(() => execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' })));
  await terminal.close();
  console.log(`\nChecks bench, ${new Date().toISOString()}, ${RUNS} runs per lesson, node ${process.version}\n`);
  console.log('| measure (ms) | n | p50 | p95 | p99 |\n|---|---|---|---|---|');
  for (const line of lines) console.log(line);
  console.log(row('every lesson, first run after the build', firsts));
  console.log(row('baseline: docker run --rm of the learner\'s hello-world (CLI)', runs));
  console.log(row('baseline: docker image inspect (CLI)', inspects));
} finally {
  await server.cleanup();
}
