// One learner's gateway logic: for each allowed route, resolve what the learner names to what they
// own, police and force the request, forward a fresh one, and put the learner's names back.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { EXEC_START, LIMITS } from '../policy.ts';
import type { Exchange, ForwardOptions, GatewayContext, GatewayOptions, Handlers } from './context.ts';
import { EngineClient } from './engine.ts';
import { readCapped } from '../../read-capped.ts';
import { Namespace, normalise } from './names.ts';
import { Ownership, type ImageInfo } from './ownership.ts';
import { API_VERSION, matchRoute, parseJsonBody, policeBody, refuse, Refused, type Refusal } from './police.ts';
import { engineUnavailable, relay, sendJson, sendRefusal, writeRaw, writeRawJson } from './respond.ts';
import { runBuild } from './build.ts';
import { imageHandlers } from './image-routes.ts';
import { containerHandlers } from './container-routes.ts';
import { Quota } from './quota.ts';

/** The concrete gateway: the context every route module is handed, and the router over their tables. */
export class LearnerGateway implements GatewayContext {
  readonly options: GatewayOptions;
  readonly engine: EngineClient;
  readonly ns: Namespace;
  readonly own: Ownership;
  readonly quota: Quota;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.engine = new EngineClient(options.engine);
    this.ns = new Namespace(options.learnerId, options.base);
    // Hidden objects are logged with what was asked for, not the request line.
    this.own = new Ownership(this.engine, this.ns, options.learnerId, (imageId) => options.builds?.built(imageId) ?? false,
      (refusal) => options.onRefusal?.(refusal, { method: '-', url: refusal.message }));
    this.quota = new Quota(this.engine, this.own, options.base, options.quotas, () => options.builds?.images() ?? [], options.layerFiles);
  }

  readonly #queues = new Map<string, Promise<void>>();
  readonly #held = new Map<string, number>();

  /** Images the running build starts from: they may not be removed until it ends. */
  hold(ids: string[]): void {
    for (const id of ids) this.#held.set(id, (this.#held.get(id) ?? 0) + 1);
  }

  release(ids: string[]): void {
    for (const id of ids) {
      const count = (this.#held.get(id) ?? 0) - 1;
      if (count > 0) this.#held.set(id, count);
      else this.#held.delete(id);
    }
  }

  isHeld(id: string): boolean {
    return this.#held.has(id);
  }

  /**
   * Waits for the learner's earlier requests of this kind to finish, then holds the turn until the
   * answer is sent: a quota check and the create it allows must not interleave with another's.
   */
  async turn(kind: string, res: http.ServerResponse): Promise<void> {
    const before = this.#queues.get(kind) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    this.#queues.set(kind, before.then(() => mine));
    res.once('close', release);
    await before;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const request = { method, url: req.url ?? '' };
    const refuseWith = (refusal: Refusal) => {
      this.options.onRefusal?.(refusal, request);
      sendRefusal(req, res, refusal);
    };
    const matched = matchRoute(method, req.url ?? '');
    if (!matched.ok) return refuseWith(matched.error);
    const { route, path, query } = matched.value;
    const handler = this.#handlers[route.handler];
    if (!handler) return refuseWith(refuse('malformed_request', `${path} needs an upgraded connection`, 400).error);
    const subject = route.path.exec(path)?.[1] ?? '';
    try {
      await handler({ req, res, method, path, query, subject });
      if (res.statusCode < 400) this.options.onAnswered?.(route.handler);
    } catch (error) {
      if (error instanceof Refused) return refuseWith(error.refusal);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return engineUnavailable(res);
      throw error;
    }
  }

  /** attach and exec start: resolve and police, then upgrade both sides and splice the two streams. */
  async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // The learner's process may close its end at any moment; unhandled, the error would end the server.
    socket.on('error', () => socket.destroy());
    const method = req.method ?? 'GET';
    const request = { method, url: req.url ?? '' };
    const refuseRaw = (refusal: Refusal) => {
      this.options.onRefusal?.(refusal, request);
      writeRawJson(socket, refusal.status, { message: refusal.message });
    };
    const matched = matchRoute(method, req.url ?? '');
    if (!matched.ok) return refuseRaw(matched.error);
    const { route, path, query } = matched.value;
    if (route.handler !== 'attach' && route.handler !== 'exec-start') return refuseRaw(refuse('endpoint_forbidden', `${method} ${path} cannot be upgraded in this lab`).error);
    const length = Number(req.headers['content-length'] ?? 0);
    if (!Number.isInteger(length) || length < 0 || length > LIMITS.jsonBodyBytes) return refuseRaw(refuse('body_too_large', 'request body too large', 413).error);
    const { body, rest } = await readExactly(socket, head, length);
    const subject = route.path.exec(path)?.[1] ?? '';
    let target: string;
    let forwarded = Buffer.alloc(0);
    if (route.handler === 'attach') {
      const container = await this.own.container(subject);
      if (!container.ok) return refuseRaw(container.error);
      target = `/containers/${container.value}/attach`;
    } else {
      const exec = await this.own.exec(subject);
      if (!exec.ok) return refuseRaw(exec.error);
      const parsed = parseJsonBody(body, LIMITS.jsonBodyBytes);
      if (!parsed.ok) return refuseRaw(parsed.error);
      const policed = policeBody(parsed.value, EXEC_START);
      if (!policed.ok) return refuseRaw(policed.error);
      target = `/exec/${exec.value}/start`;
      forwarded = Buffer.from(JSON.stringify(policed.value));
    }
    const upstream = this.engine.request(method, target, query, {
      Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json', 'Content-Length': String(forwarded.length),
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
      // The engine refused the upgrade: pass its answer on, with the learner's names.
      const bytes = await readCapped(answer, LIMITS.jsonBodyBytes);
      const text = bytes ? this.ns.toLearner(bytes.toString('utf8')) : JSON.stringify({ message: 'Stagecraft: the engine refused this with an answer too long to pass on' });
      writeRaw(socket, answer.statusCode ?? 502, answer.headers['content-type'] ?? 'application/json', Buffer.from(text));
    });
    upstream.on('error', () => writeRawJson(socket, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering' }));
    upstream.end(forwarded);
  }

  /** Forwards a fresh request and relays the answer with the learner's names. */
  forward(x: Exchange, method: string, path: string, query: URLSearchParams | undefined, options: ForwardOptions = {}): void {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(options.body.length) });
    const upstream = this.engine.request(method, path, query, headers);
    upstream.on('response', (answer) => options.onStatus?.(answer.statusCode ?? 502));
    upstream.on('response', (answer) => relay(answer, x.res, options.mode ?? 'json', (text) => this.ns.toLearner(text), { transform: options.transform }));
    upstream.on('error', () => engineUnavailable(x.res));
    x.res.on('close', () => upstream.destroy());
    upstream.end(options.body);
  }

  /** Names the learner may see on an image: their own and the base images', never another learner's. */
  visibleImage(image: ImageInfo): ImageInfo {
    const visible = (ref: string) => this.ns.owns(ref) || this.ns.isBase(ref.split('@')[0]!);
    return {
      ...image,
      RepoTags: image.RepoTags ? image.RepoTags.filter(visible) : image.RepoTags,
      RepoDigests: image.RepoDigests ? image.RepoDigests.filter((d) => this.ns.owns(d) || this.ns.isBaseRepository(d.split('@')[0]!)) : image.RepoDigests,
    };
  }

  readonly #handlers: Handlers = {
    ping: ({ res, method }) => {
      res.writeHead(200, {
        'API-Version': API_VERSION, 'Builder-Version': '1', 'Docker-Experimental': 'false', OSType: 'linux',
        'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate',
      });
      res.end(method === 'HEAD' ? undefined : 'OK');
    },
    version: ({ req, res }) => {
      req.resume();
      sendJson(res, 200, {
        Platform: { Name: 'Stagecraft lab' }, Version: this.options.engineVersion, ApiVersion: API_VERSION, MinAPIVersion: '1.24',
        Os: 'linux', Arch: 'amd64', Experimental: false,
      });
    },
    // `docker info`: the learner's own counts; no host name, kernel, data root or other learners' counts.
    info: async ({ req, res }) => {
      req.resume();
      const [containers, images] = await Promise.all([this.own.containers(), this.own.images()]);
      const running = containers.filter((c) => c.State === 'running').length;
      sendJson(res, 200, {
        ID: 'stagecraft', Name: 'stagecraft', ServerVersion: this.options.engineVersion, OperatingSystem: 'Stagecraft lab',
        OSType: 'linux', Architecture: 'x86_64', Containers: containers.length, ContainersRunning: running,
        ContainersPaused: 0, ContainersStopped: containers.length - running, Images: images.length,
        Driver: 'overlay2', LoggingDriver: 'json-file', NCPU: LIMITS.containerNanoCpus / 1e9, MemTotal: LIMITS.containerMemory,
        Debug: false, ExperimentalBuild: false, Labels: [], Warnings: null,
      });
    },
    'disk-usage': async ({ req, res }) => {
      req.resume();
      const [containers, images] = await Promise.all([this.own.containers(true), this.own.images()]);
      sendJson(res, 200, JSON.parse(this.ns.toLearner(JSON.stringify({
        LayersSize: await this.quota.imageBytes(images), Images: images.map((i) => this.visibleImage(i)), Containers: containers, Volumes: [], BuildCache: [],
      }))));
    },
    build: (x) => runBuild(this, x),
    pull: (x) => {
      const wanted = normalise(`${x.query.get('fromImage') ?? ''}${x.query.get('tag') ? `:${x.query.get('tag')}` : ''}`);
      if (!wanted || !this.options.pullable.includes(wanted)) {
        throw new Refused(refuse('pull_unavailable', this.options.pullable.length > 0
          ? `only the course's base images (${this.options.pullable.join(', ')}) can be pulled in this lab`
          : 'this lab has no image registry, so nothing can be pulled: build FROM the course base images (stagecraft/toolchain, stagecraft/runtime)', 404).error);
      }
      x.req.resume();
      const [repository, tag] = [wanted.slice(0, wanted.lastIndexOf(':')), wanted.slice(wanted.lastIndexOf(':') + 1)];
      this.forward(x, 'POST', '/images/create', new URLSearchParams({ fromImage: repository, tag }), { mode: 'lines', headers: { 'X-Registry-Auth': 'e30=' } });
    },
    ...imageHandlers(this),
    ...containerHandlers(this),
    'nothing-to-prune': ({ req, res, path }) => {
      req.resume();
      const answers: Record<string, unknown> = {
        '/networks/prune': { NetworksDeleted: null },
        '/volumes/prune': { VolumesDeleted: null, SpaceReclaimed: 0 },
        '/build/prune': { CachesDeleted: null, SpaceReclaimed: 0 },
      };
      sendJson(res, 200, answers[path]);
    },
    'not-found': ({ req, res, path, subject }) => {
      req.resume();
      // The engine's own wording for each, so the CLI's `docker inspect` moves on to the next kind.
      const kind = path.split('/')[1];
      const message = kind === 'networks' ? `network ${subject} not found` : kind === 'volumes' ? `get ${subject}: no such volume` : `plugin "${subject}" not found`;
      sendJson(res, 404, { message });
    },
  };

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

