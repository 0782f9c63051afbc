// The `docs` profile, tested offline: Debian's docker-registry on loopback holding stand-in
// `library/alpine` images, and a second dockerd whose --registry-mirror points at it, so a pull of
// alpine:3.7 is served here (a miss would go to Docker Hub and fail, as nothing else is reachable).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface DocsEngine {
  /** The second engine's socket, for STAGECRAFT_ENGINES. */
  socket: string;
  stop(): Promise<void>;
}

const freePort = () => new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(port));
  });
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const succeeds = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
  try {
    execFileSync(command, args, { stdio: 'ignore', env, timeout: 10_000 });
    return true;
  } catch {
    return false; // not up yet
  }
};

/** Starts the registry and the mirrored engine; `images` are copied from the main engine into the new one. */
export async function startDocsEngine(images: string[]): Promise<DocsEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scd-'));
  const port = await freePort();
  const registryConfig = path.join(dir, 'registry.yml');
  fs.writeFileSync(registryConfig, [
    'version: 0.1', 'storage:', `  filesystem:`, `    rootdirectory: ${path.join(dir, 'registry')}`,
    'http:', `  addr: 127.0.0.1:${port}`, '',
  ].join('\n'));
  const children: ChildProcess[] = [];
  children.push(spawn('docker-registry', ['serve', registryConfig], { stdio: 'ignore' }));
  const registry = `127.0.0.1:${port}`;
  await waitFor(() => succeeds('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]), 'docker-registry');
  // Stand-ins for the documents' Alpine images: the lab's runtime image (busybox + libc).
  for (const tag of ['3.7', 'latest']) {
    execFileSync('docker', ['tag', 'stagecraft/runtime:latest', `${registry}/library/alpine:${tag}`]);
    execFileSync('docker', ['push', '-q', `${registry}/library/alpine:${tag}`], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', `${registry}/library/alpine:${tag}`], { stdio: 'ignore' });
  }
  const socket = path.join(dir, 'docker.sock');
  children.push(spawn('dockerd', [
    '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
    '--host', `unix://${socket}`, '--bridge=none', '--iptables=false', '--ip-masq=false',
    '--registry-mirror', `http://${registry}`,
  ], { stdio: ['ignore', fs.openSync(path.join(dir, 'dockerd.log'), 'a'), fs.openSync(path.join(dir, 'dockerd.log'), 'a')] }));
  const onSecond = { ...process.env, DOCKER_HOST: `unix://${socket}` };
  await waitFor(() => succeeds('docker', ['version'], onSecond), 'the second dockerd');
  for (const image of images) execFileSync('bash', ['-c', `docker save ${image} | DOCKER_HOST=unix://${socket} docker load -q`], { stdio: 'ignore' });
  return {
    socket,
    async stop() {
      for (const child of children.reverse()) {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
