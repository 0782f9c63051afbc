// A simulated class on loopback: N learners join one class, each opens a terminal (a workspace is
// created), builds the single-stage lesson and runs its checks; then the instructor reads the
// gradebook and the CSV. Prints timings (p50/p95/max) and what was lost. Bounded: N ≤ 60.
//   node bench/classroom.ts [N=20]
import { performance } from 'node:perf_hooks';
import { startTestServer } from '../tests/support/server.ts';
import { openTerminal } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { runChecks } from '../tests/support/lab.ts';
import fs from 'node:fs';
import path from 'node:path';
import { quantile } from './support/stats.ts';

const SOLUTION = path.resolve(import.meta.dirname, '../lessons/single-stage/solution');

const N = Math.min(60, Number(process.argv[2] ?? 20));
const show = (label: string, values: number[]) =>
  console.log(`| ${label} | ${values.length} | ${quantile(values, 0.5).toFixed(0)} | ${quantile(values, 0.95).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`);

const server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'bench:bench password 1' });
try {
  const post = (path: string, body: unknown, cookie = '') => fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(body) });
  const teacher = (await post('/api/instructor/login', { name: 'bench', password: 'bench password 1' })).headers.get('set-cookie')!.split(';')[0]!;
  const { id: classId, code } = (await (await post('/api/classes', { title: 'bench' }, teacher)).json()) as { id: number; code: string };
  const timings = { join: [] as number[], prompt: [] as number[], build: [] as number[], check: [] as number[] };
  const started = performance.now();
  const rssBefore = process.memoryUsage().rss;
  // Learners arrive in waves of 5, as a class does after the instructor shows the code.
  const results: boolean[] = [];
  for (let wave = 0; wave < N; wave += 5) {
    results.push(...await Promise.all(Array.from({ length: Math.min(5, N - wave) }, async (_, i) => {
      let t = performance.now();
      const joined = await post('/api/join', { code, displayName: `learner-${wave + i + 1}` });
      const cookie = joined.headers.get('set-cookie')!.split(';')[0]!;
      timings.join.push(performance.now() - t);
      t = performance.now();
      const terminal = await openTerminal(server.url, cookie);
      timings.prompt.push(performance.now() - t);
      // The learner types the lesson's files (as printf lines, quoted for the shell).
      for (const file of ['hello.c', 'Dockerfile']) {
        const lines = fs.readFileSync(path.join(SOLUTION, file), 'utf8').replace(/\n$/, '').split('\n');
        await run(terminal, `mkdir -p ~/hello && printf '%s\\n' ${lines.map((l) => `'${l.replace(/'/g, "'\\''")}'`).join(' ')} > ~/hello/${file}`);
      }
      t = performance.now();
      await run(terminal, 'cd ~/hello && docker build -q -t hello-world . > /dev/null', 180_000);
      timings.build.push(performance.now() - t);
      t = performance.now();
      const { results: checks } = await runChecks(server.url, cookie, 'single-stage');
      timings.check.push(performance.now() - t);
      await terminal.close();
      return checks.every((c) => c.status === 'pass');
    })));
  }
  let t = performance.now();
  const book = (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as { rows: unknown[] };
  const gradebookMs = performance.now() - t;
  t = performance.now();
  const csv = await (await fetch(`${server.url}/api/classes/${classId}/grades.csv`, { headers: { Cookie: teacher } })).text();
  const csvMs = performance.now() - t;
  console.log(`\nClass of ${N} simulated learners on loopback, ${new Date().toISOString()}, whole run ${((performance.now() - started) / 1000).toFixed(1)} s, server RSS +${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} MB\n`);
  console.log('| step (ms) | n | p50 | p95 | max |\n|---|---|---|---|---|');
  show('join (POST /api/join)', timings.join);
  show('terminal open → first prompt (cold workspace)', timings.prompt);
  show('docker build hello-world (cached base)', timings.build);
  show('checks of lesson 2', timings.check);
  console.log(`\ngradebook ${gradebookMs.toFixed(0)} ms for ${book.rows.length} rows; grades.csv ${csvMs.toFixed(0)} ms, ${csv.trim().split('\r\n').length - 2} rows; all checks passed for ${results.filter(Boolean).length} of ${N}; lost: ${N - results.filter(Boolean).length}`);
} finally {
  await server.cleanup();
}
