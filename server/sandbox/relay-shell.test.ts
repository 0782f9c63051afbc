// The relay's rendezvous with a fake engine: the exec "starts" by connecting clients to the
// one-time socket, as the relay (and a learner racing it) would from inside the workspace.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { openRelayShell } from './relay-shell.ts';

const folders: string[] = [];
afterEach(() => { for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true }); });

/** A fake engine whose exec start runs `onStart` with the socket path socat was given; it records execs. */
function fakeDocker(onStart: (socketPath: string) => void | Promise<void>) {
  const execs: string[][] = [];
  const docker = {
    getContainer: () => ({
      exec: async ({ Cmd }: { Cmd: string[] }) => {
        execs.push(Cmd);
        return { start: async () => { if (Cmd[0] === 'socat') await onStart(Cmd[1]!.replace('UNIX-CONNECT:/run/stagecraft', folders.at(-1)!)); } };
      },
    }),
  } as unknown as Docker;
  return { docker, execs };
}

const place = () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-'));
  folders.push(folder);
  return { folder, mountedAt: '/run/stagecraft' };
};
const isClosed = (socket: net.Socket) => socket.destroyed || socket.readableEnded;

describe('openRelayShell', () => {
  it('takes the first connection only: racers are closed, and the socket file is gone', async () => {
    const clients: net.Socket[] = [];
    // The racers connect while the engine is still starting the relay, and hold on.
    const { docker } = fakeDocker(async (socketPath) => {
      for (let i = 0; i < 30; i++) clients.push(net.connect(socketPath).on('error', () => undefined));
      // Each connected, or already turned away (once() would reject on the reset's error event).
      await Promise.all(clients.map((c) => new Promise((settled) => c.once('connect', settled).once('close', settled))));
    });
    const where = place();
    const shell = await openRelayShell(docker, 'ws', where, { cols: 80, rows: 24 });
    await expect.poll(() => clients.filter(isClosed).length).toBe(29);
    expect(clients.filter((c) => !isClosed(c))).toHaveLength(1); // the one the server kept as the shell
    expect(fs.readdirSync(where.folder)).toEqual([]);
    shell.kill();
    for (const c of clients) c.destroy();
  });

  it('strips the pty name from the output and resizes one stty at a time, skipping unchanged sizes', async () => {
    let relay: net.Socket | undefined;
    const { docker, execs } = fakeDocker((socketPath) => { relay = net.connect(socketPath); });
    const shell = await openRelayShell(docker, 'ws', place(), { cols: 80, rows: 24 });
    const output: string[] = [];
    shell.onData((chunk) => output.push(chunk.toString()));
    relay!.write('/dev/pts/3\r\nlearner@stagecraft:~$ ');
    await expect.poll(() => output.join('')).toBe('learner@stagecraft:~$ ');
    const sttys = () => execs.filter((cmd) => cmd[0] === 'stty').map((cmd) => cmd.slice(3).join(' '));
    for (let i = 0; i < 100; i++) shell.resize(100 + (i % 2), 30);
    shell.resize(120, 40);
    shell.resize(120, 40);
    // Resizes run in order, one at a time: once a later size is applied, every earlier one has been.
    await expect.poll(() => sttys().at(-1)).toBe('cols 120 rows 40');
    shell.resize(90, 20);
    await expect.poll(() => sttys().at(-1)).toBe('cols 90 rows 20');
    expect(sttys().length).toBeLessThanOrEqual(4);
    expect(sttys().filter((size) => size === 'cols 120 rows 40')).toHaveLength(1);
    expect(execs.filter((cmd) => cmd[0] === 'stty').at(-1)!.slice(0, 3)).toEqual(['stty', '-F', '/dev/pts/3']);
    shell.kill();
    relay!.destroy();
  });

  it.each([['kept', 1], ['new', 0]] as const)('takes dtach\'s clear-screen off a %s shell, even split, and tells of a kept one', async (state, told) => {
    let relay: net.Socket | undefined;
    const { docker } = fakeDocker((socketPath) => { relay = net.connect(socketPath); });
    const shell = await openRelayShell(docker, 'ws', place(), { cols: 80, rows: 24 });
    const output: string[] = [];
    let resumed = 0;
    shell.onData((chunk) => output.push(chunk.toString()));
    shell.onResumed!(() => { resumed += 1; });
    relay!.write(`/dev/pts/3 ${state}\r\n\x1b[H`);
    await new Promise((settled) => relay!.write('', settled));
    relay!.write('\x1b[Jlearner@stagecraft:~$ \x1b[H\x1b[J');
    // Only the first clear is dtach's; a later one is the learner's (clear) and reaches the page.
    await expect.poll(() => output.join('')).toBe('learner@stagecraft:~$ \x1b[H\x1b[J');
    expect(resumed).toBe(told);
    shell.kill();
    relay!.destroy();
  });
});
