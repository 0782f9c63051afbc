// Server memory while learners list large objects: N learners, each owning 20 containers with 1 MB of
// labels (made in the engine directly, as a gateway before the 64 KiB label cap let a learner make
// them; inherited image labels still can), send `docker ps -a` P at a time through their gateway
// socket, for R rounds. Prints the server's peak RSS beside its idle RSS (the baseline, same run,
// same learners and objects), and how long each list took. The server runs in its own process.
// Bounded in count (N ≤ 10, P ≤ 32, R ≤ 10) and time (each list has a 60 s deadline); loopback only.
//   node bench/large-answers.ts [learners=3] [parallel=16] [rounds=3]
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { openTerminal, sessionCookie, type TerminalClient } from '../tests/support/terminal-client.ts';
import { LABELS } from '../server/sandbox/index.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { percentileCells } from './support/stats.ts';

const N = Math.max(1, Math.min(10, Number(process.argv[2] ?? 3)));
const PARALLEL = Math.max(1, Math.min(32, Number(process.argv[3] ?? 16)));
const ROUNDS = Math.max(1, Math.min(10, Number(process.argv[4] ?? 3)));
const CONTAINERS = 20;
const LABEL_BYTES = 1_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** One `docker ps -a` as the CLI sends it; resolves with the answer's size and status, discarding the bytes. */
function list(socketPath: string): Promise<{ bytes: number; status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/v1.41/containers/json?all=1', timeout: 60_000 }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => resolve({ bytes, status: res.statusCode ?? 0, ms: performance.now() - started }));
      res.on('error', () => resolve({ bytes, status: 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ bytes: 0, status: 0, ms: performance.now() - started }));
  });
}

const docker = new Docker();
const server = await startServerProcess();
const terminals: TerminalClient[] = [];
try {
  const rssEmpty = server.rss();
  for (let i = 0; i < N; i++) terminals.push(await openTerminal(server.url, await sessionCookie(server.url)));
  const learners = server.learners();
  for (const learner of learners) {
    for (let c = 0; c < CONTAINERS; c++) {
      await docker.createContainer({
        name: `sc-${learner}_large${c}`, Image: 'stagecraft/runtime', Cmd: ['true'],
        Labels: { [LABELS.learner]: learner, [LABELS.role]: 'learner-container', large: 'x'.repeat(LABEL_BYTES) },
      });
    }
  }
  await sleep(2000);
  const rssIdle = server.rss();
  let rssPeak = rssIdle;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rss()); }, 20);
  const results: { bytes: number; status: number; ms: number }[] = [];
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const sockets = learners.map((learner) => path.join(server.dataDir, 'gateways', learner, 'docker.sock'));
    results.push(...await Promise.all(sockets.flatMap((socket) => Array.from({ length: PARALLEL }, () => list(socket)))));
  }
  const wall = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await sleep(1000);
  const rssAfter = server.rss();
  const health = (await fetch(`${server.url}/api/health`)).status;
  const complete = results.filter((r) => r.status === 200 && r.bytes > CONTAINERS * LABEL_BYTES);
  const moved = results.reduce((sum, r) => sum + r.bytes, 0);

  console.log(`\nLarge answers on loopback, ${new Date().toISOString()}, node ${process.version}: ${N} learners × ${CONTAINERS} containers ` +
    `with ${mb(LABEL_BYTES)} MB of labels each; ${PARALLEL} lists at once per learner (${N * PARALLEL} in flight), ${ROUNDS} rounds.\n`);
  console.log('| measure | figure |\n|---|---|');
  console.log(`| server RSS, no learner | ${mb(rssEmpty)} MB |`);
  console.log(`| **baseline**: server RSS, learners connected and their objects made, idle | ${mb(rssIdle)} MB |`);
  console.log(`| server RSS, peak while listing | ${mb(rssPeak)} MB (+${mb(rssPeak - rssIdle)} MB over idle) |`);
  console.log(`| server RSS, 1 s after | ${mb(rssAfter)} MB |`);
  console.log(`| answers relayed | ${complete.length} complete of ${results.length}, ${mb(moved)} MB in ${wall.toFixed(1)} s (${mb(moved / wall)} MB/s) |`);
  console.log(`| /api/health after | ${health} |`);
  console.log('\n| one list, ms | n | p50 | p95 | p99 |\n|---|---|---|---|---|');
  console.log(`| \`docker ps -a\` of ${mb(CONTAINERS * LABEL_BYTES)} MB | ${percentileCells(results.map((r) => r.ms), 0)} |`);
} finally {
  for (const terminal of terminals) await terminal.close();
  await server.cleanup();
}
