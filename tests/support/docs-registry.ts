// The `docs` profile, tested offline: Debian's docker-registry on loopback holding stand-in
// `library/alpine` images, and a second dockerd whose --registry-mirror points at it, so a pull of
// alpine:3.7 is served here (a miss would go to Docker Hub and fail, as nothing else is reachable).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEngine, succeeds, waitFor } from './engine.ts';

export interface DocsEngine {
  /** The second engine's socket, for STAGECRAFT_ENGINES. */
  socket: string;
  stop(): Promise<void>;
}

/** Starts the registry and the mirrored engine; `images` are copied from the main engine into the new one. */
export async function startDocsEngine(images: string[]): Promise<DocsEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scd-'));
  const port = await freePort();
  const registryConfig = path.join(dir, 'registry.yml');
  fs.writeFileSync(registryConfig, [
    'version: 0.1', 'storage:', `  filesystem:`, `    rootdirectory: ${path.join(dir, 'registry')}`,
    'http:', `  addr: 127.0.0.1:${port}`, '',
  ].join('\n'));
  const registryProcess = spawn('docker-registry', ['serve', registryConfig], { stdio: 'ignore' });
  const registry = `127.0.0.1:${port}`;
  await waitFor(() => succeeds('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]), 'docker-registry');
  // Stand-ins for the documents' Alpine images: the lab's runtime image (busybox + libc).
  for (const tag of ['3.7', 'latest']) {
    execFileSync('docker', ['tag', 'stagecraft/runtime:latest', `${registry}/library/alpine:${tag}`]);
    execFileSync('docker', ['push', '-q', `${registry}/library/alpine:${tag}`], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', `${registry}/library/alpine:${tag}`], { stdio: 'ignore' });
  }
  const engine = await startEngine({ images, args: ['--registry-mirror', `http://${registry}`] });
  return {
    socket: engine.socket,
    async stop() {
      await engine.stop();
      registryProcess.kill('SIGTERM');
      await new Promise((r) => (registryProcess.exitCode !== null ? r(undefined) : registryProcess.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
