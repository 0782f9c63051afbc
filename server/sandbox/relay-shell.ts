// A learner's shell whose keystrokes do not pass through the engine. Under load the engine's exec
// stream (dockerd and containerd-shim copying every byte) is where echo latency goes: with 10 builds
// running, a bare `docker exec -it` pty echoed at p95 59 ms and the same shell entered without the
// engine at 21 ms (bench/load.ts). So the server listens on a one-time Unix socket in the learner's
// gateway folder (read-only in the workspace), and starts socat in the workspace, detached, as the
// learner: it connects there and runs bash on a pty of its own. The engine only starts it (and
// resizes it); the bytes go server ↔ socket ↔ socat ↔ pty (↔ dtach ↔ bash's pty), inside the
// container's own limits.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import type Docker from 'dockerode';
import type { ShellStream } from './shell.ts';
import { gatewaySocketPath } from './workspace.ts';

/** How long the relay has to connect back before the shell counts as failed to open. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The first line the relay prints is its pty's name; anything longer is not that. */
const TTY_LINE_MAX = 64;
/** dtach's socket for the kept shell, in the workspace's own /tmp: gone with the workspace. */
const KEPT_SOCKET = '/tmp/.stagecraft-shell';
/**
 * The login shell, kept by dtach in the workspace: when the relay goes (the server stopped or
 * restarted, the socket closed), bash stays, and the next relay attaches to it with its folder,
 * variables and jobs. No detach key (-E), no suspend key (-z), no redraw keys sent (-r none):
 * every byte the shell gets is the learner's. The first line names the relay's pty and says
 * whether the shell is `new` or `kept`. A workspace made from an older image, with no dtach, gets
 * a plain login shell, and its first line only the pty's name.
 */
export const KEPT_SHELL = `if command -v dtach >/dev/null; then echo $(tty) $(test -S ${KEPT_SOCKET} && echo kept || echo new); exec dtach -A ${KEPT_SOCKET} -E -z -r none bash -l; fi; tty; exec bash -l`;
/** What dtach's client writes as it attaches (clear the screen): the page keeps what it shows. */
const DTACH_CLEAR = Buffer.from('\x1b[H\x1b[J');

export interface RelayPlace {
  /** The learner's gateway folder on this host… */
  folder: string;
  /** …and where the workspace sees it. */
  mountedAt: string;
}

export async function openRelayShell(docker: Docker, container: string, place: RelayPlace, size: { cols: number; rows: number }): Promise<ShellStream> {
  const name = `t-${randomBytes(8).toString('hex')}.sock`;
  const socketPath = gatewaySocketPath(place.folder, name);
  // One connection, then no more: the first is the shell (the learner's own processes could race
  // the relay for it, which reaches nothing but their own terminal); any other is closed at once.
  let first: ((socket: net.Socket) => void) | undefined;
  const listener = net.createServer((socket) => {
    if (!first) return void socket.destroy();
    first(socket);
    first = undefined;
    listener.close();
  });
  listener.maxConnections = 1;
  await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(socketPath, resolve));
  let socket: net.Socket;
  let timer: NodeJS.Timeout | undefined;
  try {
    await fs.chmod(socketPath, 0o666); // the learner (uid 1000) connects; the folder is theirs alone
    const connected = new Promise<net.Socket>((resolve, reject) => {
      first = resolve;
      timer = setTimeout(() => reject(new Error('the terminal relay did not connect back')), CONNECT_TIMEOUT_MS);
    });
    connected.catch(() => undefined); // if the exec below fails first, this rejection has nobody to hear it
    const cols = Math.trunc(size.cols);
    const rows = Math.trunc(size.rows);
    // SYSTEM runs the line with sh -c; it sets the size, then names the pty and becomes the login shell.
    const exec = await docker.getContainer(container).exec({
      Cmd: ['socat', `UNIX-CONNECT:${place.mountedAt}/${name}`, `SYSTEM:stty cols ${cols} rows ${rows}; ${KEPT_SHELL},pty,setsid,ctty,stderr`],
      User: 'learner', WorkingDir: '/home/learner', Env: ['TERM=xterm-256color'],
    });
    await exec.start({ Detach: true });
    socket = await connected;
  } finally {
    // One connection per socket: nothing else may attach to this shell later.
    clearTimeout(timer);
    first = undefined;
    listener.close();
    await fs.rm(socketPath, { force: true });
  }
  return relayStream(docker, container, socket);
}

function relayStream(docker: Docker, container: string, socket: net.Socket): ShellStream {
  let tty: string | undefined;
  let head: Buffer | undefined = Buffer.alloc(0);
  // Resizes: the newest size wins, one `stty` at a time, and an unchanged size costs nothing
  // (each is an engine exec; a flood of resize frames must not become a flood of processes).
  let pendingSize: { cols: number; rows: number } | undefined;
  let appliedSize = '';
  let resizing = false;
  const dataListeners: ((chunk: Buffer) => void)[] = [];
  // Output that arrives before the terminal listens (the prompt, early) waits here.
  const early: Buffer[] = [];
  const exitListeners: ((code: number) => void)[] = [];
  let exited = false;
  // Set once the first line says the shell is dtach's: its clear-screen is taken off, then `kept`
  // is told to whoever listens (a kept shell shows no prompt until the learner presses Enter).
  let clearing: Buffer | undefined;
  let kept = false;
  const resumedListeners: (() => void)[] = [];

  const applySize = (cols: number, rows: number) => {
    pendingSize = { cols: Math.trunc(cols), rows: Math.trunc(rows) };
    if (!tty || resizing || exited) return;
    const size = pendingSize;
    pendingSize = undefined;
    if (`${size.cols}x${size.rows}` === appliedSize) return;
    resizing = true;
    // stty on the pty's name sets its size; the kernel tells bash with SIGWINCH.
    docker.getContainer(container).exec({ Cmd: ['stty', '-F', tty, 'cols', String(size.cols), 'rows', String(size.rows)], User: 'learner' })
      .then((exec) => exec.start({ Detach: true }))
      .then(() => { appliedSize = `${size.cols}x${size.rows}`; }, () => undefined) // the shell may have just ended
      .finally(() => {
        resizing = false;
        if (pendingSize) applySize(pendingSize.cols, pendingSize.rows);
      });
  };
  socket.on('data', (chunk: Buffer) => {
    if (head) {
      // The relay's first line, before bash runs, is its pty's name: take it off the stream.
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\n');
      if (end < 0 && head.length <= TTY_LINE_MAX) return;
      const line = end < 0 ? '' : head.subarray(0, end).toString('latin1').trim();
      const rest = end < 0 ? head : head.subarray(end + 1);
      head = undefined;
      const named = /^(\/dev\/pts\/\d{1,6})(?: (new|kept))?$/.exec(line);
      if (named) {
        tty = named[1];
        if (named[2]) clearing = Buffer.alloc(0);
        if (named[2] === 'kept') {
          kept = true;
          for (const listener of resumedListeners) listener();
        }
      }
      if (pendingSize) applySize(pendingSize.cols, pendingSize.rows);
      if (rest.length === 0) return;
      chunk = rest;
    }
    if (clearing) {
      clearing = Buffer.concat([clearing, chunk]);
      if (clearing.length < DTACH_CLEAR.length && DTACH_CLEAR.subarray(0, clearing.length).equals(clearing)) return;
      chunk = clearing.subarray(0, DTACH_CLEAR.length).equals(DTACH_CLEAR) ? clearing.subarray(DTACH_CLEAR.length) : clearing;
      clearing = undefined;
      if (chunk.length === 0) return;
    }
    if (dataListeners.length === 0) early.push(chunk);
    for (const listener of dataListeners) listener(chunk);
  });
  const ended = () => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(0);
  };
  socket.on('close', ended);
  socket.on('error', ended);
  return {
    onData: (listener) => {
      dataListeners.push(listener);
      for (const chunk of early.splice(0)) listener(chunk);
    },
    onExit: (listener) => void exitListeners.push(listener),
    onResumed: (listener) => {
      resumedListeners.push(listener);
      if (kept) listener();
    },
    write: (data) => { if (!exited) socket.write(data); },
    resize: (cols, rows) => { if (!exited) applySize(cols, rows); },
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    // Closing the socket ends socat and dtach's client: bash stays, for the next relay to attach to.
    kill: () => void socket.destroy(),
  };
}
