// One learner's Docker API gateway: an HTTP server on a Unix socket that terminates the learner's
// request, polices it (police.ts, forced.ts) and sends the engine a fresh request of its own.
// Bytes are spliced only after an attach/exec upgrade has been allowed.
import fs from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { EXEC_CREATE, EXEC_START, CONTAINER_CREATE, LIMITS, LABELS } from '../policy.ts';
import { API_VERSION, matchRoute, parseJsonBody, policeBody, policeBuildQuery, refuse, type Refusal, type Result } from './police.ts';
import { forceBuildQuery, forceContainerCreate } from './forced.ts';

export interface GatewayOptions {
  learnerId: string;
  /** The real engine's Unix socket. */
  engineSocket: string;
  /** The engine's version string, shown by `docker version`. */
  engineVersion: string;
  /** Called for every refusal, with its stable code (tests and logs read it; the learner does not). */
  onRefusal?: (refusal: Refusal, request: { method: string; url: string }) => void;
}

export interface Gateway {
  /** Stops listening and cuts every connection, upgraded ones included. */
  close(): Promise<void>;
}

/** Listens on `socketPath`, which the learner's uid must be able to connect to. */
export async function listenGateway(socketPath: string, options: GatewayOptions): Promise<Gateway> {
  const server = createGatewayServer(options);
  // Upgraded (attach/exec) sockets leave the HTTP server's books; track every socket to close them all.
  const connections = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // Only this learner's workspace mounts the folder, so the socket itself can be open to its uid.
  await fs.chmod(socketPath, 0o666);
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of connections) socket.destroy();
    }),
  };
}

export function createGatewayServer(options: GatewayOptions): http.Server {
  const server = http.createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      console.error('gateway: unexpected error', error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Stagecraft: internal error in the lab gateway' });
      else res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(options, req, socket, head).catch((error: unknown) => {
      console.error('gateway: unexpected error on upgrade', error);
      socket.destroy();
    });
  });
  return server;
}

async function handle(options: GatewayOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const refused = (result: { ok: false; error: Refusal }) => {
    options.onRefusal?.(result.error, { method, url: req.url ?? '' });
    req.resume(); // drain what the client is still sending; we answer without reading it
    res.setHeader('Connection', 'close');
    sendJson(res, result.error.status, { message: result.error.message });
  };
  const matched = matchRoute(method, req.url ?? '');
  if (!matched.ok) return refused(matched);
  const { route, path, query } = matched.value;
  switch (route.handler) {
    case 'ping': {
      res.writeHead(200, {
        'API-Version': API_VERSION, 'Builder-Version': '1', 'Docker-Experimental': 'false', OSType: 'linux',
        'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate',
      });
      res.end(method === 'HEAD' ? undefined : 'OK');
      return;
    }
    case 'version':
      req.resume();
      return sendJson(res, 200, versionAnswer(options.engineVersion));
    case 'info':
      req.resume();
      return sendJson(res, 200, await infoAnswer(options));
    case 'pull':
      return refused(refuse('pull_unavailable',
        'this lab has no image registry, so nothing can be pulled: build FROM the course base images (stagecraft/toolchain, stagecraft/runtime)', 404));
    case 'hijack':
      return refused(refuse('malformed_request', 'attach and exec start need an upgraded connection', 400));
    case 'forward':
      req.resume();
      return forward(options, res, method, path, query);
    case 'create':
    case 'exec-create': {
      const body = parseJsonBody(await readBody(req, LIMITS.jsonBodyBytes), LIMITS.jsonBodyBytes);
      if (!body.ok) return refused(body);
      const policed = policeBody(body.value, route.handler === 'create' ? CONTAINER_CREATE : EXEC_CREATE);
      if (!policed.ok) return refused(policed);
      const forced = route.handler === 'create' ? forceContainerCreate(policed.value, options.learnerId) : policed;
      if (!forced.ok) return refused(forced);
      return forward(options, res, method, path, query, Buffer.from(JSON.stringify(forced.value)));
    }
    case 'build': {
      if (req.headers['x-registry-config'] !== undefined && req.headers['x-registry-config'] !== 'e30=') {
        return refused(refuse('setting_forbidden', 'registry credentials are not used in this lab'));
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > LIMITS.buildContextBytes) return refused(contextTooLarge());
      const policed = policeBuildQuery(query);
      if (!policed.ok) return refused(policed);
      const forced = forceBuildQuery(policed.value, options.learnerId);
      if (!forced.ok) return refused(forced);
      return forwardBuild(options, req, res, path, forced.value, refused);
    }
  }
}

const contextTooLarge = () => refuse('context_too_large',
  `the build context is larger than ${LIMITS.buildContextBytes / 1024 ** 2} MB: build from a folder with only what the image needs, or add a .dockerignore`, 413);

/** Sends the engine a fresh request (our method, pinned version, our headers) and pipes the answer back. */
function forward(options: GatewayOptions, res: http.ServerResponse, method: string, path: string, query: URLSearchParams, body?: Buffer): void {
  const upstream = engineRequest(options, method, path, query, body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {});
  upstream.on('response', (answer) => relayResponse(answer, res));
  upstream.on('error', () => engineUnavailable(res));
  res.on('close', () => upstream.destroy());
  upstream.end(body);
}

/** Streams the build context to the engine, counting bytes so a huge context is cut off. */
function forwardBuild(options: GatewayOptions, req: http.IncomingMessage, res: http.ServerResponse, path: string,
  query: URLSearchParams, refused: (r: { ok: false; error: Refusal }) => void): void {
  const upstream = engineRequest(options, 'POST', path, query, { 'Content-Type': 'application/x-tar', 'X-Registry-Config': 'e30=' });
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > LIMITS.buildContextBytes) {
      req.removeAllListeners('data');
      upstream.destroy();
      if (!res.headersSent) refused(contextTooLarge());
      else res.destroy();
      return;
    }
    if (!upstream.write(chunk)) {
      req.pause();
      upstream.once('drain', () => req.resume());
    }
  });
  req.on('end', () => upstream.end());
  upstream.on('response', (answer) => relayResponse(answer, res));
  upstream.on('error', () => { if (bytes <= LIMITS.buildContextBytes) engineUnavailable(res); });
  res.on('close', () => upstream.destroy());
}

function engineRequest(options: GatewayOptions, method: string, path: string, query: URLSearchParams, headers: Record<string, string>): http.ClientRequest {
  const search = query.size > 0 ? `?${query}` : '';
  return http.request({
    socketPath: options.engineSocket, method, path: `/v${API_VERSION}${path}${search}`,
    headers: { Host: 'docker', ...headers },
  });
}

// Only headers that describe the body pass back; the engine's own (Server, Api-Version…) do not.
const RELAYED_HEADERS = ['content-type', 'content-length'];

function relayResponse(answer: http.IncomingMessage, res: http.ServerResponse): void {
  const headers: Record<string, string> = { 'API-Version': API_VERSION };
  for (const name of RELAYED_HEADERS) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  res.writeHead(answer.statusCode ?? 502, headers);
  // The engine answers `wait` with headers first and the body only at exit; the CLI starts the
  // container only after it has those headers, so pass them on at once.
  res.flushHeaders();
  answer.pipe(res);
}

function engineUnavailable(res: http.ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering; try again in a moment' });
}

/** attach and exec start: police, then upgrade both sides and splice the two raw streams. */
async function handleUpgrade(options: GatewayOptions, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const method = req.method ?? 'GET';
  const refuseRaw = (result: { ok: false; error: Refusal }) => {
    options.onRefusal?.(result.error, { method, url: req.url ?? '' });
    writeRawJson(socket, result.error.status, { message: result.error.message });
  };
  const matched = matchRoute(method, req.url ?? '');
  if (!matched.ok) return refuseRaw(matched);
  const { route, path, query } = matched.value;
  if (route.handler !== 'hijack') return refuseRaw(refuse('endpoint_forbidden', `${method} ${path} cannot be upgraded in this lab`));
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length < 0 || length > LIMITS.jsonBodyBytes) {
    return refuseRaw(refuse('body_too_large', 'request body too large', 413));
  }
  const { body, rest } = await readExactly(socket, head, length);
  let forwardedBody = Buffer.alloc(0);
  if (path.startsWith('/exec/')) {
    const parsed = parseJsonBody(body, LIMITS.jsonBodyBytes);
    if (!parsed.ok) return refuseRaw(parsed);
    const policed = policeBody(parsed.value, EXEC_START);
    if (!policed.ok) return refuseRaw(policed);
    forwardedBody = Buffer.from(JSON.stringify(policed.value));
  }
  const upstream = engineRequest(options, method, path, query, {
    Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json', 'Content-Length': String(forwardedBody.length),
  });
  upstream.on('upgrade', (answer, engineSocket, engineHead) => {
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${answer.headers['content-type'] ?? 'application/vnd.docker.raw-stream'}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    if (engineHead.length > 0) socket.write(engineHead);
    if (rest.length > 0) engineSocket.write(rest);
    engineSocket.pipe(socket);
    socket.pipe(engineSocket);
    const closeBoth = () => { socket.destroy(); engineSocket.destroy(); };
    engineSocket.on('error', closeBoth);
    socket.on('error', closeBoth);
    engineSocket.on('close', () => socket.end());
  });
  upstream.on('response', async (answer) => {
    // The engine refused the upgrade (e.g. no such container): pass its answer on as it is.
    const text = await readBody(answer, LIMITS.jsonBodyBytes);
    writeRaw(socket, answer.statusCode ?? 502, answer.headers['content-type'] ?? 'application/json', text);
  });
  upstream.on('error', () => writeRawJson(socket, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering' }));
  upstream.end(forwardedBody);
}

/** Reads `length` body bytes that follow the headers of an upgrade request; returns any extra bytes. */
function readExactly(socket: Duplex, head: Buffer, length: number): Promise<{ body: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = head;
    const done = () => {
      socket.off('data', onData);
      socket.pause();
      resolve({ body: buffered.subarray(0, length), rest: buffered.subarray(length) });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= length) done();
    };
    if (buffered.length >= length) return done();
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function readBody(stream: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep one byte past the limit so the caller can tell "too large" from "exactly the limit".
      if (size <= limit + 1) chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'API-Version': API_VERSION });
  res.end(body);
}

function writeRawJson(socket: Duplex, status: number, value: unknown): void {
  writeRaw(socket, status, 'application/json', Buffer.from(JSON.stringify(value)));
}

function writeRaw(socket: Duplex, status: number, contentType: string, body: Buffer): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('utf8')}`);
}

/** `docker version`: the engine's version and API, nothing about the host. */
function versionAnswer(engineVersion: string) {
  return {
    Platform: { Name: 'Stagecraft lab' }, Version: engineVersion, ApiVersion: API_VERSION, MinAPIVersion: '1.24',
    Os: 'linux', Arch: 'amd64', Experimental: false,
  };
}

/** `docker info`: counts of the learner's own objects; no host name, kernel, data root or others' counts. */
async function infoAnswer(options: GatewayOptions) {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${LABELS.learner}=${options.learnerId}`] }));
  const [containers, images] = await Promise.all([
    engineJson(options, `/containers/json?all=1&filters=${filters}`),
    engineJson(options, `/images/json?filters=${filters}`),
  ]);
  const list = Array.isArray(containers) ? (containers as { State?: string }[]) : [];
  const running = list.filter((c) => c.State === 'running').length;
  return {
    ID: 'stagecraft', Name: 'stagecraft', ServerVersion: options.engineVersion, OperatingSystem: 'Stagecraft lab',
    OSType: 'linux', Architecture: 'x86_64', Containers: list.length, ContainersRunning: running,
    ContainersPaused: 0, ContainersStopped: list.length - running, Images: Array.isArray(images) ? images.length : 0,
    Driver: 'overlay2', LoggingDriver: 'json-file', NCPU: LIMITS.containerNanoCpus / 1e9, MemTotal: LIMITS.containerMemory,
    Debug: false, ExperimentalBuild: false, Labels: [], Warnings: null,
  };
}

function engineJson(options: GatewayOptions, pathAndQuery: string): Promise<unknown> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: options.engineSocket, path: `/v${API_VERSION}${pathAndQuery}`, headers: { Host: 'docker' } }, (res) => {
      readBody(res, 16 * 1024 ** 2).then((body) => {
        try {
          resolve(JSON.parse(body.toString('utf8')));
        } catch {
          resolve(undefined); // counts then show 0; `docker info` stays usable
        }
      }, () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined)); // engine down: counts show 0
    req.end();
  });
}

export type { Result };
