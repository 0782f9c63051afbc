// A learner's shell whose keystrokes do not pass through the engine. Under load the engine's exec
// stream (dockerd and containerd-shim copying every byte) is where echo latency goes: with 10 builds
// running, a bare `docker exec -it` pty echoed at p95 59 ms and the same shell entered without the
// engine at 21 ms (bench/load.ts). So the server listens on a one-time Unix socket in the learner's
// gateway folder (read-only in the workspace), and starts socat in the workspace, detached, as the
// learner: it joins that socket to the socket of dtach's master, which keeps bash on its pty. The
// server speaks dtach's client protocol itself (dtach.ts), so the bytes go server ↔ socket ↔ socat
// ↔ socket ↔ dtach ↔ bash's pty, inside the container's own limits; the engine only starts socat.
// (dtach's own client on a second pty cost about 1.2 ms an echo: bench/terminal.ts.)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import type Docker from 'dockerode';
import { attachPacket, inputPackets, PacketWriter, sizePacket, WRITE_BYTES } from './dtach.ts';
import type { ShellStream } from './shell.ts';
import { gatewaySocketPath } from './workspace.ts';

/** How long the relay has to connect back before the shell counts as failed to open. */
const CONNECT_TIMEOUT_MS = 10_000;
/** dtach's socket for the kept shell, in the workspace's own /tmp: gone with the workspace. */
const KEPT_SOCKET = '/tmp/.stagecraft-shell';
/** Whether the shell is a new one or one that kept running: the relay says so by the name it connects to. */
const STATES = ['new', 'kept'] as const;
type ShellState = (typeof STATES)[number];
/**
 * The relay, run by sh in the workspace. A live master on KEPT_SOCKET is the learner's shell, kept
 * when the last relay went (the server stopped or restarted): its folder, variables and jobs stay.
 * Otherwise a new master starts bash, which waits (echo off) for one line from the server before it
 * starts, so its first prompt is not printed before anyone is attached to see it. No detach or
 * suspend key (-E, -z): every byte the shell gets is the learner's. A workspace from an image with
 * no dtach exits here; the relay never connects, and the engine's own stream gives the shell.
 */
export function relayCommand(socketPrefix: string): string {
  const gated = `stty -echo; read -r _; stty echo; exec bash -l`;
  return [
    'command -v dtach >/dev/null || exit 1',
    `S=${KEPT_SOCKET}`,
    `if test -S $S && socat -u OPEN:/dev/null UNIX-CONNECT:$S 2>/dev/null; then state=kept`,
    `else rm -f $S; dtach -n $S -E -z -r none sh -c '${gated}' || exit 1; state=new; fi`,
    `exec socat -b ${WRITE_BYTES} UNIX-CONNECT:${socketPrefix}-$state.sock UNIX-CONNECT:$S`,
  ].join('\n');
}

export interface RelayPlace {
  /** The learner's gateway folder on this host… */
  folder: string;
  /** …and where the workspace sees it. */
  mountedAt: string;
}

export async function openRelayShell(docker: Docker, container: string, place: RelayPlace, size: { cols: number; rows: number }): Promise<ShellStream> {
  const name = `t-${randomBytes(8).toString('hex')}`;
  const socketPaths = STATES.map((state) => gatewaySocketPath(place.folder, `${name}-${state}.sock`));
  // One connection, to either name, then no more: the first is the shell (the learner's own
  // processes could race the relay for it, which reaches nothing but their own shell); any other
  // is closed at once.
  let first: ((connection: { socket: net.Socket; state: ShellState }) => void) | undefined;
  const listeners = STATES.map((state) => {
    const listener = net.createServer((socket) => {
      if (!first) return void socket.destroy();
      first({ socket, state });
      first = undefined;
      for (const each of listeners) each.close();
    });
    listener.maxConnections = 1;
    return listener;
  });
  let connection: { socket: net.Socket; state: ShellState };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(listeners.map((listener, i) => new Promise<void>((resolve, reject) => listener.once('error', reject).listen(socketPaths[i], resolve))));
    // The learner (uid 1000) connects; the folder is theirs alone.
    await Promise.all(socketPaths.map((socketPath) => fs.chmod(socketPath, 0o666)));
    const connected = new Promise<{ socket: net.Socket; state: ShellState }>((resolve, reject) => {
      first = resolve;
      timer = setTimeout(() => reject(new Error('the terminal relay did not connect back')), CONNECT_TIMEOUT_MS);
    });
    connected.catch(() => undefined); // if the exec below fails first, this rejection has nobody to hear it
    const exec = await docker.getContainer(container).exec({
      Cmd: ['sh', '-c', relayCommand(`${place.mountedAt}/${name}`)],
      User: 'learner', WorkingDir: '/home/learner', Env: ['TERM=xterm-256color'],
    });
    await exec.start({ Detach: true });
    connection = await connected;
  } finally {
    // One connection per shell: nothing else may attach to it later.
    clearTimeout(timer);
    first = undefined;
    for (const listener of listeners) listener.close();
    await Promise.all(socketPaths.map((socketPath) => fs.rm(socketPath, { force: true })));
  }
  return relayStream(connection, size);
}

function relayStream({ socket, state }: { socket: net.Socket; state: ShellState }, size: { cols: number; rows: number }): ShellStream {
  const packets = new PacketWriter(socket);
  packets.write(Buffer.concat([attachPacket(), sizePacket(size.cols, size.rows)]));
  // A new shell waits for one line before bash starts (relayCommand): now someone sees its prompt.
  if (state === 'new') packets.write(inputPackets(Buffer.from('\n')));
  let appliedSize = `${size.cols}x${size.rows}`;
  const dataListeners: ((chunk: Buffer) => void)[] = [];
  // Output that arrives before the terminal listens (the prompt, early) waits here.
  const early: Buffer[] = [];
  const exitListeners: ((code: number) => void)[] = [];
  let exited = false;
  socket.on('data', (chunk: Buffer) => {
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
    // A kept shell shows no prompt until the learner presses Enter.
    onResumed: (listener) => { if (state === 'kept') listener(); },
    write: (data) => { if (!exited) packets.write(inputPackets(Buffer.from(data))); },
    resize: (cols, rows) => {
      // An unchanged size costs nothing: a flood of resize frames is one packet each at most.
      const wanted = `${Math.trunc(cols)}x${Math.trunc(rows)}`;
      if (exited || wanted === appliedSize) return;
      appliedSize = wanted;
      packets.write(sizePacket(cols, rows));
    },
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    // Closing the socket ends socat and so this client of dtach's: bash stays, for the next relay.
    kill: () => void socket.destroy(),
  };
}
