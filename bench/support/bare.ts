// Baselines with no Stagecraft in the path: the docker CLI on a pty, read directly by the bench.
import { performance } from 'node:perf_hooks';
import pty from 'node-pty';

/** `docker run -it` of the workspace image with the workspace's own limits, for a cold baseline. */
export const BARE_WORKSPACE_RUN = ['run', '-it', '--rm', '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
  '--memory', '512m', '--pids-limit', '256', '--cpus', '1', '--init', '--read-only', '-u', 'learner', 'stagecraft/workspace:latest', 'bash', '-l'];

/** Runs `docker <args>` on a pty; resolves with the ms until its output shows a prompt. */
export async function dockerToPrompt(args: string[]): Promise<number> {
  const started = performance.now();
  let out = '';
  const p = pty.spawn('docker', args, { name: 'xterm', cols: 80, rows: 24, env: process.env as Record<string, string> });
  p.onData((d) => { out += d; });
  while (!out.includes('$')) await new Promise((r) => setTimeout(r, 1));
  const took = performance.now() - started;
  p.kill();
  return took;
}
