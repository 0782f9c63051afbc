// The workspace container is created hardened, and its Docker CLI reaches only the gateway.
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { waitFor } from '../../support/engine.ts';

const docker = new Docker();
let server: TestServer;
let terminal: TerminalClient;
let inspect: Docker.ContainerInspectInfo;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await sessionCookie(server.url);
  terminal = await openTerminal(server.url, cookie);
  const [learner] = server.learners();
  inspect = await docker.getContainer(`stagecraft-ws-${learner}`).inspect();
});

afterAll(async () => {
  await terminal?.close();
  await server?.cleanup();
});

describe('workspace container', () => {
  it('runs as the non-root learner user', async () => {
    expect(inspect.Config.User).toBe('learner');
    expect(await run(terminal, 'id -u; id -un')).toBe('1000\nlearner\n');
  });

  it('has no network, no capabilities, no new privileges', () => {
    expect(inspect.HostConfig.NetworkMode).toBe('none');
    expect(inspect.HostConfig.CapDrop).toEqual(['ALL']);
    expect(inspect.HostConfig.CapAdd ?? []).toEqual([]);
    expect(inspect.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(inspect.HostConfig.Privileged).toBe(false);
  });

  it('has memory, process and CPU limits', () => {
    expect(inspect.HostConfig.Memory).toBeGreaterThan(0);
    expect(inspect.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(inspect.HostConfig.NanoCpus).toBeGreaterThan(0);
  });

  it('mounts only a home volume and the learner\'s own gateway folder, read-only, never the engine socket', () => {
    const mounts = inspect.Mounts.map((m) => ({ type: m.Type, destination: m.Destination, rw: m.RW }));
    expect(mounts).toHaveLength(2);
    expect(mounts).toContainEqual({ type: 'volume', destination: '/home/learner', rw: true });
    expect(mounts).toContainEqual({ type: 'bind', destination: '/run/stagecraft', rw: false });
    const bind = inspect.Mounts.find((m) => m.Type === 'bind')!;
    expect(bind.Source.startsWith(server.dataDir)).toBe(true);
    expect(inspect.Mounts.some((m) => m.Source.includes('docker.sock'))).toBe(false);
  });

  it('points the Docker CLI at the gateway, which answers as API 1.41 with no host details', async () => {
    expect(await run(terminal, 'readlink /var/run/docker.sock')).toBe('/run/stagecraft/docker.sock\n');
    const version = JSON.parse(await run(terminal, "docker version --format '{{json .Server}}'"));
    expect(version.ApiVersion).toBe('1.41');
    expect(version.KernelVersion ?? '').toBe('');
    const info = await run(terminal, "docker info --format '{{.Name}}|{{.DockerRootDir}}|{{.KernelVersion}}'");
    expect(info.trim()).toBe('stagecraft||'); // no data root, no kernel
  });

  it('keeps files in the home volume across a workspace restart', async () => {
    await run(terminal, 'echo kept > ~/note.txt');
    await terminal.close();
    await docker.getContainer(inspect.Name.slice(1)).stop({ t: 0 }); // by name: another test may have made it anew
    terminal = await openTerminal(server.url, cookie);
    expect(await run(terminal, 'cat ~/note.txt')).toBe('kept\n');
  });

  it('makes a stopped workspace from an older workspace image anew on the next visit, files kept', async () => {
    await run(terminal, 'echo still-here > ~/upgrade.txt');
    await terminal.close();
    // An older image stands in: the workspace image with one more label has another id.
    const older = 'stagecraft-test/older-workspace:latest';
    execFileSync('bash', ['-c', `echo 'FROM stagecraft/workspace:latest' | docker build -q --label stagecraft.test=older -t ${older} -`], { stdio: 'ignore' });
    const name = `stagecraft-ws-${server.learners()[0]}`;
    const current = await docker.getContainer(name).inspect();
    await docker.getContainer(name).remove({ force: true });
    await docker.createContainer({ ...current.Config, name, Image: older, HostConfig: current.HostConfig });
    try {
      terminal = await openTerminal(server.url, cookie);
      expect(await run(terminal, 'cat ~/upgrade.txt')).toBe('still-here\n');
      const workspaceImage = (await docker.getImage('stagecraft/workspace:latest').inspect()).Id;
      expect((await docker.getContainer(name).inspect()).Image).toBe(workspaceImage);
    } finally {
      await docker.getImage(older).remove({ force: true }).catch(() => undefined); // in use only if the test failed
    }
  });
});

describe('a workspace asked for ahead of its shell', () => {
  // The page asks for a session as its terminal starts loading: the container starts meanwhile.
  it('starts when the terminal asks for a session, before any socket opens', async () => {
    const before = new Set(server.learners());
    await sessionCookie(server.url);
    const learner = () => server.learners().find((id) => !before.has(id));
    const running = async () => learner() !== undefined && (await docker.getContainer(`stagecraft-ws-${learner()}`).inspect().catch(() => undefined))?.State.Running === true;
    await waitFor(running, 'the new learner\'s workspace runs', 30_000);
  });

  it('opens the shell too, and hands that very shell to the socket that comes next', async () => {
    const before = new Set(server.learners());
    const cookie = await sessionCookie(server.url);
    const learner = () => server.learners().find((id) => !before.has(id));
    const shells = async () => {
      const id = learner();
      if (!id) return [];
      const top = await docker.getContainer(`stagecraft-ws-${id}`).top({ ps_args: '-eo pid,comm' }).catch(() => undefined);
      return (top?.Processes ?? []).filter((p: string[]) => p.at(-1) === 'bash').map((p: string[]) => p[0]);
    };
    await waitFor(async () => (await shells()).length === 1, 'a shell runs before any socket', 30_000);
    const [ahead] = await shells();
    const terminal = await openTerminal(server.url, cookie);
    try {
      expect(await run(terminal, 'echo $$ ok')).toMatch(/ok/);
      expect(await shells()).toEqual([ahead]);
      // A reload asks for a session again: it reattaches to that shell, and none is opened ahead.
      expect((await fetch(`${server.url}/api/session`, { method: 'POST', headers: { Origin: server.url, Cookie: cookie } })).status).toBe(200);
      // No second shell appears over a window longer than opening one takes (about 0.2 s here).
      for (const until = Date.now() + 2_000; Date.now() < until;) expect(await shells()).toEqual([ahead]);
    } finally {
      await terminal.close();
    }
  });
});
