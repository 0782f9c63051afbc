// What a `docker build` costs through the gateway, beside the same build sent to the engine by the
// docker CLI on the host, in the same run: the gateway reads and rewrites the context, and as the
// build ends records its images and what each step wrote (each step container's changes, a look
// for links on a copy's way), then removes the step containers. The multi-stage lesson's
// two-stage Dockerfile, with --no-cache so every step runs.
//   node bench/builds.ts [runs=5]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTerminal, sessionCookie } from '../tests/support/terminal-client.ts';
import { run } from '../tests/support/shell.ts';
import { copyIntoHome } from '../tests/support/lab.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { percentileCells } from './support/stats.ts';

const RUNS = Math.min(30, Number(process.argv[2] ?? 5));
const ROOT = path.resolve(import.meta.dirname, '..');
const SOLUTION = path.join(ROOT, 'lessons', 'multi-stage', 'solution');
const row = (label: string, v: number[]) => `| ${label} | ${percentileCells(v, 0)} |`;

const server = await startServerProcess();
const direct = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-build-'));
try {
  const terminal = await openTerminal(server.url, await sessionCookie(server.url));
  const [learner] = server.learners();
  await copyIntoHome(learner!, 'multi-stage', 'solution', 'hello');
  const gateway: number[] = [];
  const cli: number[] = [];
  fs.cpSync(SOLUTION, direct, { recursive: true });
  for (let i = 0; i < RUNS; i++) {
    // The shell times its own build: from the command to the CLI hearing the end.
    const took = await run(terminal, 'cd ~/hello && s=$(date +%s%N) && docker build --no-cache -q -t bench-build . >/dev/null && echo $(( ($(date +%s%N) - s) / 1000000 ))', 300_000);
    gateway.push(Number(took.trim().split('\n').at(-1)));
    const started = performance.now();
    execFileSync('docker', ['build', '--no-cache', '--network', 'none', '-q', '-t', 'bench-build-direct', direct], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
    cli.push(performance.now() - started);
  }
  await terminal.close();
  console.log(`\nBuilds bench, ${new Date().toISOString()}, ${RUNS} builds each, the multi-stage lesson's Dockerfile, --no-cache, node ${process.version}\n`);
  console.log('| measure (ms) | n | p50 | p95 | p99 |\n|---|---|---|---|---|');
  console.log(row('docker build through the gateway (context rewritten, images and step writes recorded, step containers removed)', gateway));
  console.log(row('baseline: the same build sent to the engine by the docker CLI on the host', cli));
} finally {
  execFileSync('docker', ['rmi', 'bench-build-direct'], { stdio: 'ignore' });
  fs.rmSync(direct, { recursive: true, force: true });
  await server.cleanup();
}
