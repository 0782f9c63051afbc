// What each step of a build wrote in the system's folders, read from the engine once the build
// ends: grading credits a compile only when no step before it touched the files the compiler runs,
// links in or loads (whatever their names), so this is recorded for every image a build makes.
// The engine keeps each RUN's (and ENV's, WORKDIR's…) container after its step (builds run with
// rm=0): its list of changes is what the step really wrote, links followed. A COPY or ADD has no
// container: where it wrote comes from the engine's record of it, and a link an earlier step left
// on the way (RUN ln -s /usr/local/bin /src/b, then COPY gcc /src/b/) is looked for in its image.
// A folder copied over / is left unrecorded: grading reads what it wrote from its layer.
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { copyTarget, copyWrites, systemWrites, WRITES_KEPT, WRITES_POLICY, type Change } from '../../grading/index.ts';
import { LABELS, LIMITS } from '../policy.ts';
import type { EngineClient } from './engine.ts';
import type { LayeredImage } from '../layer-files.ts';

/** A step's container as the engine describes it, once known to be the learner's. */
export interface StepContainer { id: string; started: boolean }

/** An image a build made, as the engine describes it. */
export interface StepImage extends LayeredImage {
  Id: string;
  Created?: string;
  RepoTags?: string[] | null;
  Parent?: string;
  /** Bytes of all its layers, the parent's included. */
  Size?: number;
  /** The container the step ran in ('' for a COPY or ADD). */
  Container?: string;
  ContainerConfig?: { Cmd?: string[] | null; WorkingDir?: string };
}

/** A copied folder's tree is read this far for links; a larger one is left to its layer. */
const TREE_BYTES = 64 * 1024 ** 2;

/** What a step wrote in the system's folders, by the image it made, under the current policy. */
export interface StepWrites { id: string; writes: string[]; policy: number }

/**
 * Reads, for each image a build made, what its step wrote in the system's folders, starting as soon
 * as the engine prints the step's image (the reads of a step, a mount each, overlap the steps that
 * follow it rather than wait for the build's end). A step's container must be the learner's
 * (`owned`); a copy must be one the engine recorded; an image counts only if the engine made it
 * during this build (`started`). What cannot be told is left out: grading reads the layer then.
 */
export class StepRecorder {
  readonly #engine: EngineClient;
  readonly #learnerId: string;
  readonly #owned: (containerId: string) => Promise<StepContainer | undefined>;
  readonly #isBase: (image: StepImage) => boolean;
  readonly #started: number;
  readonly #images = new Map<string, Promise<StepImage | undefined>>();
  readonly #writes = new Map<string, Promise<StepWrites | undefined>>();

  constructor(engine: EngineClient, learnerId: string, owned: (containerId: string) => Promise<StepContainer | undefined>, isBase: (image: StepImage) => boolean, started: number) {
    this.#engine = engine;
    this.#learnerId = learnerId;
    this.#owned = owned;
    this.#isBase = isBase;
    this.#started = started;
  }

  /** The image as the engine describes it (asked once per reference), or undefined. */
  image(ref: string): Promise<StepImage | undefined> {
    if (!this.#images.has(ref)) {
      this.#images.set(ref, this.#engine.json('GET', `/images/${ref}/json`)
        .then((answer) => (answer.status === 200 ? (answer.body as StepImage) : undefined), () => undefined));
    }
    return this.#images.get(ref)!;
  }

  /** What the step that made the image wrote, once its reads are done (begun now if not already). */
  async writes(ref: string): Promise<StepWrites | undefined> {
    const image = await this.image(ref);
    if (!image || this.#isBase(image) || !(Date.parse(image.Created ?? '') >= this.#started)) return undefined;
    if (!this.#writes.has(image.Id)) this.#writes.set(image.Id, this.#read(image).catch(() => undefined));
    return this.#writes.get(image.Id)!;
  }

  async #read(image: StepImage): Promise<StepWrites | undefined> {
    const writes = await this.#writesOf(image);
    return writes && { id: image.Id, writes, policy: WRITES_POLICY };
  }

  async #writesOf(image: StepImage): Promise<string[] | undefined> {
    if (image.Container) {
      const container = await this.#owned(image.Container);
      if (!container) return undefined;
      // ENV, LABEL, CMD, WORKDIR…: the engine made the container and never started it, so nothing
      // ran in it (WORKDIR's folder is the engine's own mkdir). Its changes would cost a mount.
      if (!container.started) return [];
      const answer = await this.#engine.json('GET', `/containers/${container.id}/changes`).catch(() => undefined);
      // Too many changes to read: left to the step's layer, read at grading.
      if (answer?.status !== 200) return undefined;
      return systemWrites((answer.body as Change[] | null) ?? []);
    }
    const target = copyTarget(image.ContainerConfig?.Cmd ?? [], image.ContainerConfig?.WorkingDir ?? '');
    if (!target) return undefined;
    const writes = copyWrites(target);
    // Left unrecorded, grading reads the step's layer.
    if (writes === undefined) return undefined;
    // Links to follow exist only if a step of the learner's came before this one.
    const parent = image.Parent ? await this.image(image.Parent) : undefined;
    if (writes.length > 0 || !parent || this.#isBase(parent)) return writes;
    // Into / (COPY hello.c . with no WORKDIR), the folder to look through is the whole system: the layer tells instead.
    if (target.root === '/') return undefined;
    // The links a copy writes through are there before it: looked for in the step before it, in the
    // container that step ran in when it is still there (no new container to make), else in its image.
    const kept = parent.Container ? (await this.#owned(parent.Container))?.id : undefined;
    return linksOnTheWay(this.#engine, kept ?? { image: parent.Id }, target, this.#learnerId);
  }
}

/**
 * Links that a copy to `target` may have written through, in the filesystem before it (a step's
 * container, or a container that never runs made of the image before it): any link on the way to
 * it, or one inside it that leads out of it. Undefined when they cannot be read (too large a
 * folder, an engine that would not say): the layer tells then.
 */
async function linksOnTheWay(engine: EngineClient, before: string | { image: string }, target: { root: string; spreads: boolean }, learnerId: string): Promise<string[] | undefined> {
  let id = typeof before === 'string' ? before : undefined;
  if (typeof before !== 'string') {
    const created = await engine.json('POST', '/containers/create', undefined, {
      Image: before.image, Cmd: ['/stagecraft-never-runs'], Entrypoint: [], Labels: { [LABELS.learner]: learnerId, [LABELS.role]: 'check' },
      HostConfig: { NetworkMode: 'none', Memory: LIMITS.containerMemory },
    });
    id = created.status === 201 ? (created.body as { Id?: string } | undefined)?.Id : undefined;
    if (!id) return undefined;
  }
  try {
    const found: string[] = [];
    const prefixes: string[] = [];
    for (let at = target.root; at !== '/'; at = posix.dirname(at)) prefixes.unshift(at);
    for (const prefix of prefixes) {
      const link = await linkTarget(engine, id!, prefix);
      if (link === undefined) continue;
      if (link === null) return undefined;
      found.push(`${prefix} (a link to ${link})`);
    }
    // A file copied into a folder lands under its own name, which the record does not give: any link
    // in the folder that leads out of it may be the way.
    if (found.length > 0) return found.slice(0, WRITES_KEPT);
    return await linksInside(engine, id!, target.root);
  } finally {
    if (typeof before !== 'string') await engine.json('DELETE', `/containers/${id}`, new URLSearchParams({ force: '1', v: '1' })).catch(() => undefined);
  }
}

/** Where the path links to, undefined when it is no link (or not there), null when the engine would not say. */
function linkTarget(engine: EngineClient, container: string, path: string): Promise<string | undefined | null> {
  return new Promise((resolve) => {
    const req = engine.request('HEAD', `/containers/${container}/archive`, new URLSearchParams({ path }), {});
    req.on('response', (answer) => {
      answer.resume();
      if (answer.statusCode === 404) return resolve(undefined);
      const header = answer.headers['x-docker-container-path-stat'];
      if (answer.statusCode !== 200 || typeof header !== 'string') return resolve(null);
      try {
        const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { linkTarget?: string };
        resolve(stat.linkTarget ? stat.linkTarget : undefined);
      } catch {
        resolve(null);
      }
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** The links in the folder's tree that lead out of it (to the system's folders, or to another link); undefined when it cannot be read whole. */
function linksInside(engine: EngineClient, container: string, root: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const found: string[] = [];
    const req = engine.request('GET', `/containers/${container}/archive`, new URLSearchParams({ path: root }), {});
    const done = (writes: string[] | undefined) => {
      req.destroy();
      resolve(writes?.slice(0, WRITES_KEPT));
    };
    req.on('response', (answer) => {
      if (answer.statusCode !== 200) {
        answer.resume();
        return done(answer.statusCode === 404 ? [] : undefined);
      }
      let bytes = 0;
      const extract = tar.extract();
      answer.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > TREE_BYTES) done(undefined);
      });
      extract.on('entry', (header, stream, next) => {
        if (header.type === 'symlink' && header.linkname) {
          // The archive names entries from the folder's own name: dir/sub/file for /src/dir.
          const at = posix.join(posix.dirname(root), header.name);
          const to = posix.resolve(posix.dirname(at), header.linkname);
          if (to !== root && !to.startsWith(`${root === '/' ? '' : root}/`)) found.push(`${at} (a link to ${header.linkname})`);
        }
        stream.on('end', next);
        stream.resume();
      });
      extract.on('finish', () => done(found));
      extract.on('error', () => done(undefined));
      (answer as unknown as Readable).pipe(extract);
    });
    req.on('error', () => done(undefined));
    req.end();
  });
}
