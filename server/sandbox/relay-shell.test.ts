// The relay's rendezvous with a fake engine: the exec "starts" by connecting clients to the
// one-time sockets, as the relay (and a learner racing it) would from inside the workspace; the
// relay's side speaks dtach's client protocol, checked here packet by packet.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { attachPacket, inputPackets, sizePacket } from './dtach.ts';
import { openRelayShell } from './relay-shell.ts';

const folders: string[] = [];
afterEach(() => { for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true }); });

/** A fake engine whose exec start runs `onStart` with the socket path prefix socat was given; it records execs. */
function fakeDocker(onStart: (socketPrefix: string) => void | Promise<void>) {
  const execs: string[][] = [];
  const docker = {
    getContainer: () => ({
      exec: async ({ Cmd }: { Cmd: string[] }) => {
        execs.push(Cmd);
        const prefix = /UNIX-CONNECT:\/run\/stagecraft(\/t-[0-9a-f]+)-\$state\.sock/.exec(Cmd[2] ?? '')?.[1];
        return { start: async () => { if (prefix) await onStart(folders.at(-1)! + prefix); } };
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

/** What the relay's side received, as one buffer. */
function received(socket: net.Socket): () => Buffer {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}

describe('openRelayShell', () => {
  it('takes the first connection to either name only: racers are closed, and the socket files are gone', async () => {
    const clients: net.Socket[] = [];
    // The racers connect while the engine is still starting the relay, and hold on.
    const { docker } = fakeDocker(async (prefix) => {
      for (let i = 0; i < 30; i++) clients.push(net.connect(`${prefix}-${i % 2 ? 'kept' : 'new'}.sock`).on('error', () => undefined));
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

  it('attaches at the page\'s size, starts a new shell, and sends input and resizes as packets, with no engine exec', async () => {
    let relay: net.Socket | undefined;
    let got: () => Buffer = () => Buffer.alloc(0);
    const { docker, execs } = fakeDocker((prefix) => { relay = net.connect(`${prefix}-new.sock`); got = received(relay); });
    const shell = await openRelayShell(docker, 'ws', place(), { cols: 80, rows: 24 });
    const output: string[] = [];
    let resumed = 0;
    shell.onData((chunk) => output.push(chunk.toString()));
    shell.onResumed!(() => { resumed += 1; });
    relay!.write('learner@stagecraft:~$ \x1b[H\x1b[J');
    // The shell's bytes reach the page as they are (a clear-screen is the learner's own).
    await expect.poll(() => output.join('')).toBe('learner@stagecraft:~$ \x1b[H\x1b[J');
    shell.write('ls\r');
    for (let i = 0; i < 100; i++) shell.resize(100 + (i % 2), 30);
    shell.resize(120, 40);
    shell.resize(120, 40);
    const expected = Buffer.concat([
      attachPacket(), sizePacket(80, 24), inputPackets(Buffer.from('\n')), // the new shell's go-ahead
      inputPackets(Buffer.from('ls\r')),
      ...Array.from({ length: 100 }, (_, i) => sizePacket(100 + (i % 2), 30)),
      sizePacket(120, 40), // once: an unchanged size sends nothing
    ]);
    await expect.poll(() => got().length).toBe(expected.length);
    expect(got()).toEqual(expected);
    expect(resumed).toBe(0);
    expect(execs).toHaveLength(1); // the relay's start: resizes no longer cost an exec
    shell.kill();
    relay!.destroy();
  });

  it('tells of a kept shell, and sends it no go-ahead line', async () => {
    let relay: net.Socket | undefined;
    let got: () => Buffer = () => Buffer.alloc(0);
    const { docker } = fakeDocker((prefix) => { relay = net.connect(`${prefix}-kept.sock`); got = received(relay); });
    const shell = await openRelayShell(docker, 'ws', place(), { cols: 90, rows: 20 });
    let resumed = 0;
    shell.onResumed!(() => { resumed += 1; });
    shell.write('x');
    const expected = Buffer.concat([attachPacket(), sizePacket(90, 20), inputPackets(Buffer.from('x'))]);
    await expect.poll(() => got().length).toBe(expected.length);
    expect(got()).toEqual(expected);
    expect(resumed).toBe(1);
    shell.kill();
    relay!.destroy();
  });
});
