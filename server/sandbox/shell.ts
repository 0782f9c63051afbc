// A learner's shell: node-pty running `docker exec -it` into their workspace, seen by the terminal
// as a stream with write, resize and pause/resume (the design's shell-stream interface).
import os from 'node:os';
import pty from 'node-pty';
import { cliEnvironment, type EngineEndpoint } from './endpoint.ts';

export interface ShellStream {
  /** Raw output bytes of the shell. */
  onData(listener: (chunk: Buffer) => void): void;
  /** `ended` says why, when the cause is not the shell's own (its engine went down, its workspace stopped). */
  onExit(listener: (exitCode: number, ended?: ShellEnded) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stop reading the pty (flow control); the shell blocks once the kernel buffer fills. */
  pause(): void;
  resume(): void;
  kill(): void;
  /**
   * Ends the shell and every process the learner started in the workspace, so that the next shell
   * is a new one; the workspace and its files stay. Resolves once they are gone; `restarted` when
   * that took a restart of the workspace (its /tmp is then emptied).
   */
  endAll?(): Promise<{ restarted: boolean }>;
  /** Called when the shell is one that kept running with no terminal attached (the relay's dtach). */
  onResumed?(listener: () => void): void;
  /**
   * Called as soon as the stream has ended, before `onExit`, which may wait a moment to learn why
   * (whether the workspace stopped): a socket that comes meanwhile needs a shell that is alive.
   */
  onGone?(listener: () => void): void;
}

/** Why a shell ended, told to the learner: `engine_down` (opening again waits for the engine) or
 * `workspace_stopped` (the next shell starts the workspace again, home kept). */
export interface ShellEnded {
  cause: 'engine_down' | 'workspace_stopped';
  message: string;
}

export function spawnShell(container: string, engine: EngineEndpoint, size: { cols: number; rows: number }): ShellStream {
  const child = pty.spawn('docker', ['exec', '-it', '-u', 'learner', '-w', '/home/learner', '-e', 'TERM=xterm-256color', container, 'bash', '-l'], {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: os.tmpdir(),
    // Only what the docker CLI needs: nothing of the server's environment reaches the learner.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...cliEnvironment(engine) },
    encoding: null,
  } as pty.IPtyForkOptions);
  let exited = false;
  child.onExit(() => { exited = true; });
  return {
    onData: (listener) => child.onData((data) => listener(data as unknown as Buffer)),
    onExit: (listener) => child.onExit(({ exitCode }) => listener(exitCode)),
    write: (data) => child.write(data),
    resize: (cols, rows) => { if (!exited) child.resize(cols, rows); },
    pause: () => child.pause(),
    resume: () => child.resume(),
    kill: () => { if (!exited) child.kill(); },
  };
}
