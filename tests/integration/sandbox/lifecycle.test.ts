// Workspace lifecycle against the real engine: a restart loses nothing; idle workspaces stop, long
// idle ones are removed with the learner's engine objects but not their files; old homes expire;
// a crashed server's leftovers are reclaimed at the next start.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { CloseCode } from '../../../src/schemas/close-code.ts';

const docker = new Docker();
const servers: TestServer[] = [];

afterEach(async () => {
  // Only the last server of a test cleans up: the earlier ones share its data folder.
  for (const server of servers.splice(0).reverse().slice(0, 1)) await server.cleanup();
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

const shell = (server: TestServer, cookie: string) => openTerminal(server.url, cookie);

const state = async (name: string) => (await docker.getContainer(name).inspect().catch(() => undefined))?.State.Status ?? 'gone';

/** Makes the learner look idle since `secondsAgo`. */
function ageActivity(server: TestServer, learner: string, secondsAgo: number) {
  const when = Date.now() / 1000 - secondsAgo;
  fs.utimesSync(path.join(server.dataDir, 'gateways', learner, 'last-active'), when, when);
}

describe('workspace lifecycle', () => {
  it('keeps files, images and the Docker CLI working across a server restart', async () => {
    const first = await start();
    const cookie = await sessionCookie(first.url);
    const before = await shell(first, cookie);
    await run(before, "echo kept > ~/keep.txt && printf 'FROM stagecraft/runtime\\nCMD [\"echo\",\"built before\"]\\n' > ~/Dockerfile && cd ~ && docker build -q -t before .");
    await before.close();
    await first.close();
    const second = await start({ STAGECRAFT_DATA: first.dataDir });
    const after = await shell(second, cookie);
    expect(await run(after, 'cat ~/keep.txt')).toBe('kept\n');
    expect(await run(after, 'docker run --rm before')).toBe('built before\n');
    await after.close();
  });

  it('tells the learner why when they stop their own workspace (kill 1); the next shell starts it again, home kept', async () => {
    const server = await start();
    const cookie = await sessionCookie(server.url);
    const terminal = await shell(server, cookie);
    await run(terminal, 'echo kept > ~/kept.txt');
    terminal.type('kill 1\r');
    expect(await terminal.closed()).toBe(CloseCode.shellExited);
    expect(terminal.closeReason).toMatch(/^Your workspace stopped: its first process ended/);
    expect(terminal.frames).toContainEqual({ type: 'notice', message: expect.stringContaining('your home folder is kept') });
    const again = await shell(server, cookie);
    expect(await run(again, 'cat ~/kept.txt')).toBe('kept\n');
    await again.close();
  });

  it('stops an idle workspace and its running containers; the next visit starts it again', async () => {
    const server = await start({ STAGECRAFT_IDLE_STOP_SECONDS: '60' });
    const cookie = await sessionCookie(server.url);
    const terminal = await shell(server, cookie);
    const learner = server.learners()[0]!;
    const background = (await run(terminal, 'echo note > ~/note && docker run -d stagecraft/runtime sleep 300')).trim();
    await server.sweep();
    expect(await state(`stagecraft-ws-${learner}`)).toBe('running'); // attached: never idle
    await terminal.close();
    ageActivity(server, learner, 120);
    await server.sweep();
    expect(await state(`stagecraft-ws-${learner}`)).toBe('exited');
    expect(await state(background)).toBe('exited');
    const back = await shell(server, cookie);
    expect(await run(back, 'cat ~/note')).toBe('note\n');
    await back.close();
  });

  it('removes a long-idle workspace with its containers and images, keeping the home volume', async () => {
    const server = await start({ STAGECRAFT_IDLE_STOP_SECONDS: '60', STAGECRAFT_REMOVE_AFTER_SECONDS: '600' });
    const cookie = await sessionCookie(server.url);
    const terminal = await shell(server, cookie);
    const learner = server.learners()[0]!;
    await run(terminal, "echo note > ~/note && printf 'FROM stagecraft/runtime\\n' > ~/Dockerfile && cd ~ && docker build -q -t mine . && docker create mine");
    await terminal.close();
    ageActivity(server, learner, 120);
    await server.sweep(); // stop
    ageActivity(server, learner, 1200);
    await server.sweep(); // remove
    expect(await state(`stagecraft-ws-${learner}`)).toBe('gone');
    expect(await docker.listContainers({ all: true, filters: { label: [`org.stagecraft.learner=${learner}`] } })).toEqual([]);
    expect((await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`sc-${learner}/`))).toEqual([]);
    expect((await docker.getVolume(`stagecraft-home-${learner}`).inspect()).Name).toBe(`stagecraft-home-${learner}`);
    const back = await shell(server, cookie);
    expect(await run(back, 'cat ~/note')).toBe('note\n');
    await back.close();
  });

  it('removes a home volume once its learner has been away past the retention', async () => {
    const server = await start({ STAGECRAFT_IDLE_STOP_SECONDS: '60', STAGECRAFT_REMOVE_AFTER_SECONDS: '600', STAGECRAFT_HOME_RETENTION_SECONDS: '3600' });
    const terminal = await shell(server, await sessionCookie(server.url));
    const learner = server.learners()[0]!;
    await terminal.close();
    ageActivity(server, learner, 1200);
    await server.sweep(); // stop
    await server.sweep(); // remove
    await server.sweep(); // not yet past the retention
    expect((await docker.getVolume(`stagecraft-home-${learner}`).inspect()).Name).toBeTruthy();
    ageActivity(server, learner, 7200);
    await server.sweep();
    await expect(docker.getVolume(`stagecraft-home-${learner}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reclaims what a crashed server left running when the next one starts', async () => {
    const crashed = await start({ STAGECRAFT_IDLE_STOP_SECONDS: '60' });
    const terminal = await shell(crashed, await sessionCookie(crashed.url));
    const learner = crashed.learners()[0]!;
    const background = (await run(terminal, 'docker run -d stagecraft/runtime sleep 300')).trim();
    await crashed.close(); // its workspace and the learner's container keep running, as after a crash
    expect(await state(background)).toBe('running');
    ageActivity(crashed, learner, 120);
    const next = await start({ STAGECRAFT_DATA: crashed.dataDir, STAGECRAFT_IDLE_STOP_SECONDS: '60' });
    await expect.poll(() => state(`stagecraft-ws-${learner}`), { timeout: 20_000 }).toBe('exited');
    expect(await state(background)).toBe('exited');
    expect(next.learners()).toContain(learner);
  });
});
