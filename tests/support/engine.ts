// A Docker engine of a test's own: a second dockerd on this machine with its own data root, exec
// root and socket, optionally also on loopback TCP with mutual TLS (certificates made here with
// openssl). Images are copied in from the main engine. It can be stopped and started again on the
// same folders, as an engine host that goes away and comes back.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestEngine {
  /** The engine's Unix socket (always there, for the test's own docker commands). */
  socket: string;
  /** STAGECRAFT_ENGINES's entry for it: the TCP URL with TLS if asked for, else the socket. */
  url: string;
  /** The client's ca.pem, cert.pem and key.pem, for STAGECRAFT_ENGINE_CERTS (TLS only). */
  certDir?: string;
  /** Environment for the docker CLI to talk to this engine. */
  env: NodeJS.ProcessEnv;
  /** Stops dockerd (its containers stop with it); the folders stay, for start(). */
  halt(): Promise<void>;
  /** Starts dockerd again on the same folders and waits for it to answer. */
  start(): Promise<void>;
  /** Freezes dockerd (SIGSTOP): it accepts connections but answers nothing, as under a build storm.
   * Its containers keep running (they belong to containerd). */
  freeze(): void;
  /** Lets a frozen dockerd go on (SIGCONT). */
  thaw(): void;
  /** Stops dockerd and removes its folders. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Images to copy in from the main engine. */
  images: string[];
  /** Also listen on loopback TCP with mutual TLS. */
  tls?: boolean;
  /** Extra dockerd arguments (e.g. --registry-mirror). */
  args?: string[];
  /** A data root of this many MiB (an ext4 file system in a file, loop-mounted), for an engine whose
   * disk fills up. Not a tmpfs: its pages would count as the writing container's memory. */
  diskMiB?: number;
}

export const freePort = () => new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(port));
  });
});

/** Polls `check` until it holds, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const succeeds = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
  try {
    execFileSync(command, args, { stdio: 'ignore', env, timeout: 10_000 });
    return true;
  } catch {
    return false; // not up yet
  }
};

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
function makeCertificates(dir: string): { server: string[]; clientDir: string } {
  const clientDir = path.join(dir, 'client');
  fs.mkdirSync(clientDir);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = (file: string) => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file];
  ssl('req', '-x509', ...key('ca-key.pem'), '-out', 'ca.pem', '-days', '2', '-subj', '/CN=stagecraft test CA');
  const sign = (name: string, cn: string, extensions: string, keyFile: string, certFile: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    ssl('req', ...key(keyFile), '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', `${name}.ext`);
  };
  sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', 'server-key.pem', 'server-cert.pem');
  sign('client', 'stagecraft', 'extendedKeyUsage=clientAuth\n', 'client/key.pem', 'client/cert.pem');
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(clientDir, 'ca.pem'));
  const file = (name: string) => path.join(dir, name);
  return { server: ['--tlsverify', '--tlscacert', file('ca.pem'), '--tlscert', file('server-cert.pem'), '--tlskey', file('server-key.pem')], clientDir };
}

export async function startEngine(options: EngineOptions): Promise<TestEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sce-'));
  const socket = path.join(dir, 'docker.sock');
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}` };
  const hosts = ['--host', `unix://${socket}`];
  let url = `unix://${socket}`;
  let certDir: string | undefined;
  if (options.tls) {
    const certs = makeCertificates(dir);
    const port = await freePort();
    url = `tcp://127.0.0.1:${port}`;
    certDir = certs.clientDir;
    hosts.push('--host', url, ...certs.server);
  }
  let child: ChildProcess | undefined;
  const log = path.join(dir, 'dockerd.log');
  if (options.diskMiB) {
    const image = path.join(dir, 'disk.img');
    fs.mkdirSync(path.join(dir, 'data'));
    fs.closeSync(fs.openSync(image, 'w'));
    fs.truncateSync(image, options.diskMiB * 1024 ** 2);
    execFileSync('mkfs.ext4', ['-q', '-F', image]);
    execFileSync('mount', ['-o', 'loop', image, path.join(dir, 'data')]);
  }
  const start = async () => {
    child = spawn('dockerd', [
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
      ...hosts, '--bridge=none', '--iptables=false', '--ip-masq=false', ...(options.args ?? []),
    ], { stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')] });
    await waitFor(() => succeeds('docker', ['version'], env), `the test's dockerd (log: ${log})`);
  };
  const halt = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    await new Promise((r) => (running.exitCode !== null ? r(undefined) : running.once('exit', r)));
  };
  await start();
  for (const image of options.images) execFileSync('bash', ['-c', `docker save ${image} | DOCKER_HOST=unix://${socket} docker load -q`], { stdio: 'ignore' });
  return {
    socket, url, certDir, env, halt, start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async stop() {
      // Under --live-restore containers outlive dockerd and would keep its folders busy: remove them first.
      try {
        const ids = execFileSync('docker', ['ps', '-aq'], { env, encoding: 'utf8', timeout: 10_000 }).split('\n').filter(Boolean);
        if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore', timeout: 60_000 });
      } catch {
        // not answering (halted, or frozen): its containers stop with it unless it was live-restoring
      }
      await halt();
      // A live-restoring dockerd leaves its data root bind-mounted on itself when it stops, and a
      // small disk is a file system of its own.
      for (let mounts = 0; mounts < 2; mounts++) {
        try {
          execFileSync('umount', [path.join(dir, 'data')], { stdio: 'ignore' });
        } catch {
          break; // not mounted
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
