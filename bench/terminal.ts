// Terminal figures beside their physical limit, measured in one run on this machine:
//   keystroke echo through the server's socket vs a bare `docker exec -it` pty driven directly,
//   cold and warm prompt vs bare `docker run -it` / `docker exec -it`, server memory per idle learner.
// The server runs in its own process (STAGECRAFT_SHELL picks the backend, default relay).
//   node bench/terminal.ts [samples=300] [cold=10]
// Prints a table; asserts nothing. Targets: echo p99 ≤ 1.5× bare pty; prompt ≤ 1 s cold, ≤ 300 ms warm.
import { performance } from 'node:perf_hooks';
import pty from 'node-pty';
import { openTerminal, sessionCookie, TerminalClient } from '../tests/support/terminal-client.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { BARE_WORKSPACE_RUN, dockerToPrompt } from './support/bare.ts';
import { percentileCells, quantile } from './support/stats.ts';

const SAMPLES = Number(process.argv[2] ?? 300);
const COLD = Math.min(30, Number(process.argv[3] ?? 10));
const row = (label: string, values: number[], unit = 'ms') => `| ${label} | ${percentileCells(values, 2)} | ${unit} |`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hears every chunk of output until the returned function is called. */
type Listen = (listener: (text: string) => void) => () => void;

/**
 * One echo: write a byte, take the time when the output event carrying it arrives, then erase it so
 * the line stays empty. The wait is an event, as the browser's is: polling between event-loop turns
 * keeps one of this machine's two cores busy and slowed the paths it measures by up to 5 ms.
 */
async function echo(write: (s: string) => void, listen: Listen): Promise<number> {
  let stop = () => undefined as void;
  const heard = new Promise<number>((resolve) => {
    stop = listen((text) => { if (text.includes('a')) resolve(performance.now()); });
  });
  const started = performance.now();
  write('a');
  const took = (await heard) - started;
  stop();
  write('\x7f');
  await sleep(10);
  return took;
}

const server = await startServerProcess();
const idleTerminals: TerminalClient[] = [];
try {
  // Cold: a new learner each time (workspace created and started, shell opened) → first prompt;
  // against a bare `docker run -it` of the same image with the same limits, on the same machine.
  const cold: number[] = [];
  const bareCold: number[] = [];
  const rss0 = server.rss();
  for (let i = 0; i < COLD; i++) {
    const fresh = await sessionCookie(server.url);
    const t0 = performance.now();
    idleTerminals.push(await openTerminal(server.url, fresh));
    cold.push(performance.now() - t0);
    bareCold.push(await dockerToPrompt(BARE_WORKSPACE_RUN));
  }
  await sleep(2000);
  const perLearner = (server.rss() - rss0) / COLD / 1e6;
  const cookie = await sessionCookie(server.url);
  const before = new Set(server.learners());
  const socket = await openTerminal(server.url, cookie);
  const container = `stagecraft-ws-${server.learners().find((l) => !before.has(l))}`;

  // The physical limit: the same docker exec, its pty read directly in this process.
  let bareOut = '';
  const bare = pty.spawn('docker', ['exec', '-it', '-u', 'learner', container, 'bash', '-l'], { name: 'xterm-256color', cols: 80, rows: 24, env: process.env as Record<string, string> });
  bare.onData((d) => { bareOut += d; });
  while (!bareOut.includes('$ ')) await sleep(20);

  const throughSocket: Listen = (listener) => {
    const onMessage = (data: Buffer, isBinary: boolean) => { if (isBinary) listener(data.toString('utf8')); };
    socket.socket.on('message', onMessage);
    return () => void socket.socket.off('message', onMessage);
  };
  const directPty: Listen = (listener) => {
    const subscription = bare.onData(listener);
    return () => subscription.dispose();
  };
  const through: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 30; i++) { await echo((s) => socket.type(s), throughSocket); await echo((s) => bare.write(s), directPty); }
  for (let i = 0; i < SAMPLES; i++) {
    through.push(await echo((s) => socket.type(s), throughSocket));
    direct.push(await echo((s) => bare.write(s), directPty));
  }

  // Where the time goes: the browser socket alone (ping → pong, no shell in the path).
  const socketAlone: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const onMessage = (data: Buffer, isBinary: boolean) => {
        if (isBinary || !data.toString().includes('"pong"')) return;
        socket.socket.off('message', onMessage);
        resolve();
      };
      socket.socket.on('message', onMessage);
      socket.send({ type: 'ping' });
    });
    socketAlone.push(performance.now() - started);
    await sleep(10);
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
    bareWarm.push(await dockerToPrompt(['exec', '-it', container, 'sh']));
  }
  bare.kill();

  console.log(`\nTerminal bench, ${new Date().toISOString()}, shell ${process.env.STAGECRAFT_SHELL ?? 'relay'}, ${SAMPLES} echo samples each (interleaved, 30 warm-up), node ${process.version}\n`);
  console.log('| measure | n | p50 | p95 | p99 | unit |\n|---|---|---|---|---|---|');
  console.log(row('echo through the browser socket (ws → server → shell)', through));
  console.log(row('echo, bare docker exec -it pty read directly (baseline)', direct));
  console.log(row('of which the browser socket alone: ping → pong, no shell', socketAlone));
  console.log(row('prompt, cold: new learner, workspace created, socket open → first prompt', cold));
  console.log(row('bare docker run -it (same image and limits) → first prompt (baseline)', bareCold));
  console.log(row('prompt, warm: reconnect to the same shell → first byte (replay)', warm));
  console.log(row('bare docker exec -it sh → first prompt (baseline)', bareWarm));
  console.log(`\necho p99 ratio (socket / bare pty): ${(quantile(through, 0.99) / quantile(direct, 0.99)).toFixed(2)}× (target ≤ 1.5×); p50 ratio ${(quantile(through, 0.5) / quantile(direct, 0.5)).toFixed(2)}×`);
  console.log(`server memory per idle connected learner: ${perLearner.toFixed(2)} MB (RSS of the server process, ${COLD} learners)`);
} finally {
  for (const t of idleTerminals) await t.close().catch(() => undefined);
  await server.cleanup();
}
