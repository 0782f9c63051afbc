// One learner's gateway logic: for each allowed route, resolve what the learner names to what they
// own, police and force the request, forward a fresh one, and put the learner's names back.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { CONTAINER_CREATE, EXEC_CREATE, EXEC_START, LIMITS, type Handler } from '../policy.ts';
import { EngineClient, readAll } from './engine.ts';
import { Namespace, normalise } from './names.ts';
import { Ownership, type ImageInfo } from './ownership.ts';
import { API_VERSION, expect, matchRoute, parseJsonBody, policeBody, refuse, Refused, type Refusal } from './police.ts';
import { forceContainerCreate } from './forced.ts';
import { engineUnavailable, relay, sendJson, sendRefusal, writeRaw, writeRawJson } from './respond.ts';
import { runBuild } from './build.ts';
import { Quota } from './quota.ts';

export interface BaseImages {
  /** Exact read-only references, e.g. "alpine:3.7". */
  refs: readonly string[];
  /** Repositories whose every tag is read-only, e.g. "stagecraft/toolchain". */
  repositories: readonly string[];
}

export interface GatewayOptions {
  learnerId: string;
  engineSocket: string;
  /** The engine's version string, shown by `docker version`. */
  engineVersion: string;
  base: BaseImages;
  /** References the learner may pull (the docs profile's base images); empty offline. */
  pullable: readonly string[];
  /** Cgroup parent whose pids.max caps the learner's build steps, when the host allows one. */
  buildCgroupParent?: string;
  /** Every refusal, with its stable code (tests and logs read it; the learner does not see it). */
  onRefusal?: (refusal: Refusal, request: { method: string; url: string }) => void;
}

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** The object named in the path (image, container or exec), if the route has one. */
  subject: string;
}

type Handle = (x: Exchange) => Promise<void> | void;

export class LearnerGateway {
  readonly options: GatewayOptions;
  readonly engine: EngineClient;
  readonly ns: Namespace;
  readonly own: Ownership;
  readonly quota: Quota;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.engine = new EngineClient(options.engineSocket);
    this.ns = new Namespace(options.learnerId, options.base);
    // Hidden objects are logged with what was asked for, not the request line.
    this.own = new Ownership(this.engine, this.ns, options.learnerId, (refusal) => options.onRefusal?.(refusal, { method: '-', url: refusal.message }));
    this.quota = new Quota(this.engine, this.own, options.base);
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
    } catch (error) {
      if (error instanceof Refused) return refuseWith(error.refusal);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return engineUnavailable(res);
      throw error;
    }
  }

  /** attach and exec start: resolve and police, then upgrade both sides and splice the two streams. */
  async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
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
      const text = this.ns.toLearner((await readAll(answer, LIMITS.jsonBodyBytes)).toString('utf8'));
      writeRaw(socket, answer.statusCode ?? 502, answer.headers['content-type'] ?? 'application/json', Buffer.from(text));
    });
    upstream.on('error', () => writeRawJson(socket, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering' }));
    upstream.end(forwarded);
  }

  /** Forwards a fresh request and relays the answer with the learner's names. */
  forward(x: Exchange, method: string, path: string, query: URLSearchParams | undefined, options: { body?: Buffer; mode?: 'json' | 'lines' | 'raw'; transform?: (value: unknown) => unknown; headers?: Record<string, string> } = {}): void {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(options.body.length) });
    const upstream = this.engine.request(method, path, query, headers);
    upstream.on('response', (answer) => relay(answer, x.res, options.mode ?? 'json', (text) => this.ns.toLearner(text), options.transform));
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

  readonly #handlers: Partial<Record<Handler, Handle>> = {
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
    'image-list': async (x) => {
      x.req.resume();
      const query = new URLSearchParams(x.query);
      query.set('filters', JSON.stringify(await this.#imageFilters(x.query.get('filters'))));
      this.forward(x, 'GET', '/images/json', query, {
        transform: (list) => (list as ImageInfo[]).filter((i) => this.own.ownsImage(i) || this.own.isBaseImage(i)).map((i) => this.visibleImage(i)),
      });
    },
    'image-inspect': async (x) => {
      const image = expect(await this.own.image(x.subject, 'read'));
      this.forward(x, 'GET', `/images/${image.engineRef}/json`, undefined, { transform: (i) => this.visibleImage(i as ImageInfo) });
    },
    'image-history': async (x) => {
      const image = expect(await this.own.image(x.subject, 'read'));
      const visible = (ref: string) => this.ns.owns(ref) || this.ns.isBase(ref);
      this.forward(x, 'GET', `/images/${image.engineRef}/history`, undefined, {
        transform: (entries) => (entries as { Tags?: string[] | null }[]).map((e) => ({ ...e, Tags: e.Tags ? e.Tags.filter(visible) : e.Tags })),
      });
    },
    'image-delete': async (x) => {
      const image = expect(await this.own.image(x.subject, 'write'));
      const foreign = (image.info.RepoTags ?? []).filter((t) => !this.ns.owns(t) && t !== '<none>:<none>');
      if (image.engineRef === image.info.Id && foreign.length > 0) {
        // Shared with someone else's name (a build fully from cache): remove only this learner's names.
        const untagged = [];
        for (const tag of (image.info.RepoTags ?? []).filter((t) => this.ns.owns(t))) {
          const answer = await this.engine.json('DELETE', `/images/${tag}`, new URLSearchParams({ noprune: '1' }));
          if (Array.isArray(answer.body)) untagged.push(...answer.body);
        }
        return sendJson(x.res, 200, JSON.parse(this.ns.toLearner(JSON.stringify(untagged))));
      }
      this.forward(x, 'DELETE', `/images/${image.engineRef}`, x.query);
    },
    'image-tag': async (x) => {
      const source = expect(await this.own.image(x.subject, 'read'));
      const repo = x.query.get('repo') ?? '';
      const target = expect(this.ns.newImageName(x.query.get('tag') ? `${repo}:${x.query.get('tag')}` : repo));
      expect(await this.quota.checkImages());
      const colon = target.lastIndexOf(':');
      this.forward(x, 'POST', `/images/${source.engineRef}/tag`, new URLSearchParams({ repo: target.slice(0, colon), tag: target.slice(colon + 1) }));
    },
    'image-prune': async (x) => {
      x.req.resume();
      const all = /"dangling":\{?\[?"?(false|0)/.test(x.query.get('filters') ?? '');
      const deleted: unknown[] = [];
      let reclaimed = 0;
      for (const image of await this.own.images()) {
        const tags = (image.RepoTags ?? []).filter((t) => this.ns.owns(t));
        if (tags.length > 0 && !all) continue;
        for (const ref of tags.length > 0 ? tags : [image.Id]) {
          const answer = await this.engine.json('DELETE', `/images/${ref}`);
          if (answer.status === 200 && Array.isArray(answer.body)) {
            deleted.push(...answer.body);
            if ((answer.body as { Deleted?: string }[]).some((d) => d.Deleted)) reclaimed += image.Size ?? 0;
          }
        }
      }
      sendJson(x.res, 200, JSON.parse(this.ns.toLearner(JSON.stringify({ ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed }))));
    },
    'container-list': async (x) => {
      x.req.resume();
      const query = new URLSearchParams(x.query);
      query.set('filters', JSON.stringify(await this.#containerFilters(x.query.get('filters'))));
      this.forward(x, 'GET', '/containers/json', query);
    },
    'container-create': async (x) => {
      const body = expect(parseJsonBody(await readAll(x.req, LIMITS.jsonBodyBytes), LIMITS.jsonBodyBytes));
      const policed = expect(policeBody(body, CONTAINER_CREATE));
      const image = expect(await this.own.image(typeof policed.Image === 'string' ? policed.Image : '', 'read'));
      const forced = expect(forceContainerCreate({ ...policed, Image: image.engineRef }, this.options.learnerId));
      expect(await this.quota.checkContainers());
      const query = new URLSearchParams();
      const name = x.query.get('name');
      if (name) query.set('name', expect(this.ns.containerName(name)));
      this.forward(x, 'POST', '/containers/create', query, { body: Buffer.from(JSON.stringify(forced)) });
    },
    container: async (x) => {
      x.req.resume();
      const id = expect(await this.own.container(x.subject));
      const rest = x.path.slice(`/containers/${x.subject}`.length);
      // Logs are the learner's own program output and `wait` must flush its headers: stream both untouched.
      const mode = rest === '/logs' || rest === '/wait' ? 'raw' : 'json';
      this.forward(x, x.method, `/containers/${id}${rest}`, x.query, { mode });
    },
    'container-prune': async (x) => {
      x.req.resume();
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const container of await this.own.containers(true)) {
        if (container.State === 'running') continue;
        const answer = await this.engine.json('DELETE', `/containers/${container.Id}`);
        if (answer.status === 204) {
          deleted.push(container.Id);
          reclaimed += container.SizeRw ?? 0;
        }
      }
      sendJson(x.res, 200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed });
    },
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
    'exec-create': async (x) => {
      const id = expect(await this.own.container(x.subject));
      const body = expect(parseJsonBody(await readAll(x.req, LIMITS.jsonBodyBytes), LIMITS.jsonBodyBytes));
      const policed = expect(policeBody(body, EXEC_CREATE));
      this.forward(x, 'POST', `/containers/${id}/exec`, undefined, { body: Buffer.from(JSON.stringify(policed)) });
    },
    exec: async (x) => {
      x.req.resume();
      const id = expect(await this.own.exec(x.subject));
      this.forward(x, x.method, `/exec/${id}${x.path.slice(`/exec/${x.subject}`.length)}`, x.query);
    },
  };

  /** The learner's image list filters, with every image name mapped to the engine's. */
  async #imageFilters(text: string | null): Promise<Record<string, Record<string, boolean>>> {
    const filters = parseFilters(text);
    const mapped: Record<string, Record<string, boolean>> = {};
    for (const [key, values] of Object.entries(filters)) {
      mapped[key] = {};
      for (const value of values) {
        if (key === 'reference') {
          const repository = value.includes(':') ? value.slice(0, value.lastIndexOf(':')) : value;
          mapped[key][this.ns.isBaseRepository(repository) || this.ns.isBase(value) ? value : this.ns.imagePrefix + value] = true;
        } else if (key === 'before' || key === 'since') {
          mapped[key][expect(await this.own.image(value, 'read')).engineRef] = true;
        } else if (key === 'dangling' || key === 'label') {
          mapped[key][value] = true;
        } else {
          throw new Refused(refuse('query_forbidden', `the filter "${key}" is not available in this lab`).error);
        }
      }
    }
    return mapped;
  }

  /** The learner's container list filters, mapped, plus the labels that select only their containers. */
  async #containerFilters(text: string | null): Promise<Record<string, Record<string, boolean>>> {
    const filters = parseFilters(text);
    const mapped: Record<string, Record<string, boolean>> = {};
    for (const [key, values] of Object.entries(filters)) {
      mapped[key] = {};
      for (const value of values) {
        if (key === 'name') mapped[key][this.ns.containerPrefix + value.replace(/^\//, '')] = true;
        else if (key === 'ancestor') mapped[key][expect(await this.own.image(value, 'read')).engineRef] = true;
        else if (['status', 'id', 'label', 'exited', 'health', 'is-task'].includes(key)) mapped[key][value] = true;
        else throw new Refused(refuse('query_forbidden', `the filter "${key}" is not available in this lab`).error);
      }
    }
    mapped.label = { ...mapped.label };
    for (const label of this.own.containerLabels) mapped.label[label] = true;
    return mapped;
  }
}

/** Docker's filters parameter: `{"key":["v"]}` or the older `{"key":{"v":true}}`. */
function parseFilters(text: string | null): Record<string, string[]> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refused(refuse('malformed_request', 'filters must be JSON', 400).error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refused(refuse('malformed_request', 'filters must be a JSON object', 400).error);
  const out: Record<string, string[]> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (Array.isArray(entry) && entry.every((v) => typeof v === 'string')) out[key] = entry;
    else if (entry && typeof entry === 'object') out[key] = Object.keys(entry);
    else throw new Refused(refuse('malformed_request', `filter "${key}" must be a list of strings`, 400).error);
  }
  return out;
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

