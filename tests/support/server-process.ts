// The server under test in a process of its own, as in production: benches' clients then do not
// share its event loop or CPU accounting, and a test can kill it as a crash or an operator would.
// Its CPU time and memory are read from /proc.
//   BENCH_PROFILE=1 adds --cpu-prof; the profile lands in bench/profiles/ (open it in Chrome DevTools).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeLearnerObjects } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  dataDir: string;
  /** Resident memory of the server process, bytes. */
  rss(): number;
  /** CPU time the server process has used so far (user + system), seconds. */
  cpuSeconds(): number;
  /** Learners with a gateway folder (a workspace was opened). */
  learners(): string[];
  /** How many times the server has logged `{"event": name}` so far. */
  events(name: string): number;
  /** Sends the server a signal and waits for it to exit; its data folder and engine objects stay. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Stops the server (writing its profile when asked for) and removes what it made. */
  cleanup(): Promise<void>;
}

/** Starts a server; on `dataDir` (a server's data folder) it starts again where that server stopped. */
export async function startServerProcess(env: Record<string, string> = {}, dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scb-'))): Promise<ServerProcess> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, 'server/main.ts'], {
    cwd: ROOT,
    // No spare learners unless asked: callers find their learner as the one new gateway folder.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STAGECRAFT_DATA: dataDir, STAGECRAFT_SPARE_WORKSPACES: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const found = /running at (http:\/\/\S+)/.exec(out);
      if (!found) return;
      child.stdout.off('data', read);
      resolve(found[1]!);
    };
    child.stdout.on('data', read);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready: ${out}`)));
  });
  // The server logs one JSON event a line (refusals, engine_up/down): count them, keep nothing else.
  const counts = new Map<string, number>();
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const event = /"event":"(\w+)"/.exec(line)?.[1];
      if (event) counts.set(event, (counts.get(event) ?? 0) + 1);
    }
  });
  const statusField = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
  const ticks = 100; // USER_HZ on Linux
  const kill = async (signal: NodeJS.Signals) => {
    const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    child.kill(signal);
    await exited;
  };
  return {
    url,
    dataDir,
    rss: () => statusField('VmRSS') * 1024,
    cpuSeconds: () => {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime (fields 14 and 15)
    },
    events: (name) => counts.get(name) ?? 0,
    learners: () => {
      const gateways = path.join(dataDir, 'gateways');
      return fs.existsSync(gateways) ? fs.readdirSync(gateways) : [];
    },
    kill,
    async cleanup() {
      await kill('SIGINT');
      await removeLearnerObjects(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
