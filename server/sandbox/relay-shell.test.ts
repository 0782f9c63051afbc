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
const closed = (socket: net.Socket) => new Promise<boolean>((resolve) => {
  if (socket.destroyed || socket.readableEnded) return resolve(true);
  socket.once('close', () => resolve(true));
  setTimeout(() => resolve(false), 500);
});

describe('openRelayShell', () => {
  it('takes the first connection only: racers are closed, and the socket file is gone', async () => {
    const clients: net.Socket[] = [];
    // The racers connect while the engine is still starting the relay, and hold on.
    const { docker } = fakeDocker(async (socketPath) => {
      for (let i = 0; i < 30; i++) clients.push(net.connect(socketPath).on('error', () => undefined));
      await new Promise((r) => setTimeout(r, 100));
    });
    const where = place();
    const shell = await openRelayShell(docker, 'ws', where, { cols: 80, rows: 24 });
    const states = await Promise.all(clients.map(closed));
    expect(states.filter((isClosed) => !isClosed)).toHaveLength(1); // the one the server kept as the shell
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
    await new Promise((r) => setTimeout(r, 50));
    expect(output.join('')).toBe('learner@stagecraft:~$ ');
    for (let i = 0; i < 100; i++) shell.resize(100 + (i % 2), 30);
    shell.resize(120, 40);
    shell.resize(120, 40);
    await new Promise((r) => setTimeout(r, 100));
    const sttys = execs.filter((cmd) => cmd[0] === 'stty');
    expect(sttys.length).toBeLessThanOrEqual(3);
    expect(sttys.at(-1)).toEqual(['stty', '-F', '/dev/pts/3', 'cols', '120', 'rows', '40']);
    shell.kill();
    relay!.destroy();
  });
});
