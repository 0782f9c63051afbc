// Terminal figures beside their physical limit, measured in one run on this machine:
//   keystroke echo through the server's socket vs a bare `docker exec -it` pty driven directly,
//   cold and warm prompt vs bare `docker run -it` / `docker exec -it`, server memory per idle learner.
//   node bench/terminal.ts [samples=300]
// Prints a table; asserts nothing. Targets: echo p99 ≤ 1.5× bare pty; prompt ≤ 1 s cold, ≤ 300 ms warm.
import { performance } from 'node:perf_hooks';
import pty from 'node-pty';
import { startTestServer } from '../tests/support/server.ts';
import { openTerminal, sessionCookie, TerminalClient } from '../tests/support/terminal-client.ts';

const SAMPLES = Number(process.argv[2] ?? 300);
const q = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
const row = (label: string, values: number[], unit = 'ms') =>
  `| ${label} | ${values.length} | ${q(values, 0.5).toFixed(2)} | ${q(values, 0.95).toFixed(2)} | ${q(values, 0.99).toFixed(2)} | ${unit} |`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One echo: write a byte, wait for it to come back, then erase it so the line stays empty. */
async function echo(write: (s: string) => void, output: () => string): Promise<number> {
  const from = output().length;
  const started = performance.now();
  write('a');
  while (!output().slice(from).includes('a')) await new Promise((r) => setImmediate(r));
  const took = performance.now() - started;
  write('\x7f');
  await sleep(10);
  return took;
}

const server = await startTestServer();
try {
  const cookie = await sessionCookie(server.url);
  const t0 = performance.now();
  const socket = await openTerminal(server.url, cookie);
  const coldPrompt = performance.now() - t0;
  const [learner] = server.learners();
  const container = `stagecraft-ws-${learner}`;

  // The physical limit: the same docker exec, its pty read directly in this process.
  let bareOut = '';
  const bare = pty.spawn('docker', ['exec', '-it', '-u', 'learner', container, 'bash', '-l'], { name: 'xterm-256color', cols: 80, rows: 24, env: process.env as Record<string, string> });
  bare.onData((d) => { bareOut += d; });
  while (!bareOut.includes('$ ')) await sleep(20);

  const through: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 30; i++) { await echo((s) => socket.type(s), () => socket.output); await echo((s) => bare.write(s), () => bareOut); }
  for (let i = 0; i < SAMPLES; i++) {
    through.push(await echo((s) => socket.type(s), () => socket.output));
    direct.push(await echo((s) => bare.write(s), () => bareOut));
  }

  // Warm: a reconnect to the same shell (replay included), against a bare docker exec's first prompt.
  const warm: number[] = [];
  const bareWarm: number[] = [];
  for (let i = 0; i < 10; i++) {
    await socket.close().catch(() => undefined);
    let started = performance.now();
    const again = new TerminalClient(server.url, { cookie });
    await again.opened();
    while (again.output.length === 0) await sleep(1);
    warm.push(performance.now() - started);
    await again.close();
    started = performance.now();
    let out = '';
    const p = pty.spawn('docker', ['exec', '-it', container, 'sh'], { name: 'xterm', cols: 80, rows: 24, env: process.env as Record<string, string> });
    p.onData((d) => { out += d; });
    while (!out.includes('$')) await sleep(1);
    bareWarm.push(performance.now() - started);
    p.kill();
  }

  // Memory per idle connected learner: 10 more learners, each with a workspace and an open terminal.
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const idle = [];
  for (let i = 0; i < 10; i++) idle.push(await openTerminal(server.url));
  await sleep(2000);
  const perLearner = (process.memoryUsage().rss - rss0) / 10 / 1e6;
  for (const t of idle) await t.close();
  bare.kill();

  console.log(`\nTerminal bench, ${new Date().toISOString()}, ${SAMPLES} echo samples each (interleaved, 30 warm-up), node ${process.version}\n`);
  console.log('| measure | n | p50 | p95 | p99 | unit |\n|---|---|---|---|---|---|');
  console.log(row('echo through the browser socket (ws → server → pty → docker exec)', through));
  console.log(row('echo, bare docker exec -it pty read directly (baseline)', direct));
  console.log(row('prompt, cold: new learner, workspace created, socket open → first prompt', [coldPrompt]));
  console.log(row('prompt, warm: reconnect to the same shell → first byte (replay)', warm));
  console.log(row('bare docker exec -it sh → first prompt (baseline)', bareWarm));
  console.log(`\necho p99 ratio (socket / bare pty): ${(q(through, 0.99) / q(direct, 0.99)).toFixed(2)}× (target ≤ 1.5×); p50 ratio ${(q(through, 0.5) / q(direct, 0.5)).toFixed(2)}×`);
  console.log(`server memory per idle connected learner: ${perLearner.toFixed(1)} MB (RSS of the server process, 10 learners)`);
} finally {
  await server.cleanup();
}
