// The sandbox's side of grading: one learner's images looked up by the names they gave, run or
// opened only under the lab's limits. Check containers carry the learner's label and are removed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path, { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { CannotJudge, PROGRAM_BYTES_LIMIT, type FolderFacts, type ImageConfig, type LearnerEngine, type ProgramFile, type Provenance, type RunOutcome } from '../grading/index.ts';
import type { RecordedBuild } from './types.ts';
import { EvidenceCache } from './evidence-cache.ts';
import { layerWrites } from './layer-writes.ts';
import { readContext } from './gateway/build-context.ts';
import type { Namespace } from './gateway/names.ts';
import { LABELS, LIMITS } from './policy.ts';
import { readCapped } from '../read-capped.ts';
import { workspaceName } from './workspace.ts';

/** Most output kept from a check run: enough for any hello world, bounded for a flood. */
const OUTPUT_LIMIT = 64 * 1024;
const FILE_LIMIT = 1024 * 1024;
/** Where a program run on its own starts: a folder the image does not have, made empty for the run. */
const FRESH_FOLDER = '/stagecraft-check-run';
/** Where a program run on its own is put (mounted alone, or a volume of the run's own: the root is read-only). */
const ALONE_FOLDER = '/stagecraft-check';

/** Answers about images, shared by every learner of an engine (the same image id is the same content). */
export interface ImageEvidence {
  runs: EvidenceCache<RunOutcome>;
  paths: EvidenceCache<Record<string, boolean>>;
  programs: EvidenceCache<ProgramFile | undefined>;
  /** What each step of an image wrote, read from its layers (kept in the store too; this joins checks asking at once). */
  layers: EvidenceCache<{ id: string; writes: string[] }[] | undefined>;
}

export const imageEvidence = (): ImageEvidence => ({
  runs: new EvidenceCache({ weigh: (outcome) => outcome.stdout.length + outcome.stderr.length + 100 }),
  paths: new EvidenceCache({ weigh: (found) => JSON.stringify(found).length }),
  programs: new EvidenceCache({ weigh: (file) => (file?.bytes.length ?? 0) + 100, byteLimit: 4 * PROGRAM_BYTES_LIMIT }),
  layers: new EvidenceCache({ weigh: (steps) => JSON.stringify(steps ?? null).length }),
});

/** The learner's build records on this engine. */
export interface LearnerRecords {
  buildOfImage(imageId: string): RecordedBuild | undefined;
  latestBuild(): RecordedBuild | undefined;
  /** What the step that made the image wrote in the system's folders (any learner's build), or undefined. */
  stepWrites(imageId: string): string[] | undefined;
  recordStepWrites(steps: { id: string; writes: string[] }[]): void;
  /** Whether the gateway answered this request of the learner's Docker CLI. */
  answered(request: string): boolean;
}

/**
 * `checkBases`: the lab's pristine images a program may be run alone in, in order of preference
 * (the first the engine has): the C library and loader the course's toolchain links against.
 * `programsFolder`: a folder of this host the engine can mount (an engine on this host's socket):
 * a program run alone is written there and mounted read-only, rather than copied into a volume
 * through the engine's archive API, which costs the run most of a second.
 */
export function learnerEngine(docker: Docker, learnerId: string, ns: Namespace, lastBuild: () => string | undefined, evidence: ImageEvidence, records: LearnerRecords, checkBases: readonly string[], programsFolder?: string): LearnerEngine {
  const labels = { [LABELS.learner]: learnerId, [LABELS.role]: 'check' };
  const hardened = {
    NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'],
    Memory: LIMITS.containerMemory, MemorySwap: LIMITS.containerMemory, PidsLimit: LIMITS.containerPids, NanoCpus: LIMITS.containerNanoCpus,
  };
  const reads = new Map<string, Promise<string | undefined>>();
  const configs = new Map<string, Promise<ImageConfig>>();
  const histories = new Map<string, Promise<{ id: string; createdBy: string; size: number }[]>>();
  // Created, never started: the archive API reads the image's filesystem without running anything.
  const inspectFiles = async <T>(imageId: string, read: (container: Docker.Container) => Promise<T>): Promise<T> => {
    const container = await docker.createContainer({ Image: imageId, Cmd: ['/stagecraft-never-runs'], Entrypoint: [], Labels: labels, HostConfig: hardened });
    try {
      return await read(container);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  };
  const isBase = async (imageId: string) => {
    const info = await docker.getImage(imageId).inspect().catch(notFoundAs(undefined));
    return (info?.RepoTags ?? []).some((tag) => ns.isBase(tag));
  };
  const programFile = (imageId: string, path: string) => evidence.programs.get(`program ${imageId} ${path}`, () => inspectFiles(imageId, async (container) => {
    // A link is followed, as the runtime follows it (a few hops at most).
    let at = path;
    for (let hops = 0; hops < 8; hops++) {
      const archive = await container.getArchive({ path: at }).catch(unreadableAs(undefined));
      const found = archive ? await firstFile(archive as NodeJS.ReadableStream) : undefined;
      if (!found || 'file' in found) {
        if (!found) return undefined;
        const imagePreloads = await container.infoArchive({ path: '/etc/ld.so.preload' }).then(() => true, unreadableAs(false));
        return { ...found.file, path: at, imagePreloads };
      }
      at = posix.resolve(posix.dirname(at), found.link);
    }
    return undefined;
  }));
  return {
    lastBuildOutput: lastBuild,
    lastBuild: async () => provenanceOf(records.latestBuild(), ns),
    answered: async (request) => records.answered(request),
    provenance: async (imageId) => provenanceOf(records.buildOfImage(imageId), ns),

    async imageNames() {
      const images = await docker.listImages();
      return images.flatMap((i) => i.RepoTags ?? []).filter((t) => ns.owns(t)).map((t) => ns.toLearner(t));
    },

    // An image's configuration never changes under its id: read once per grading run.
    config: (imageId) => memo(configs, imageId, async () => {
      const info = await docker.getImage(imageId).inspect();
      const list = (value: string | string[] | null | undefined) => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
      return { entrypoint: list(info.Config.Entrypoint), cmd: list(info.Config.Cmd), workingDir: info.Config.WorkingDir || '/', env: info.Config.Env ?? [] };
    }),

    programFile,

    // An image's history never changes under its id: read once per grading run.
    history: (imageId) => memo(histories, imageId, async () => {
      const steps = (await docker.getImage(imageId).history()) as { Id: string; CreatedBy: string; Size: number }[];
      return steps.map((step) => ({ id: step.Id === '<missing>' ? '' : step.Id, createdBy: step.CreatedBy, size: step.Size }));
    }),

    async image(name) {
      const target = ns.image(name);
      if (!target.ok || target.value.kind === 'id') return undefined;
      const info = await docker.getImage(target.value.engineRef).inspect().catch(notFoundAs(undefined));
      return info ? { id: info.Id, size: info.Size } : undefined;
    },

    run: (imageId, command, timeoutMs, program) => evidence.runs.get(`run ${imageId} ${JSON.stringify(command ?? null)} ${timeoutMs} ${program ?? ''}`, async () => {
      if (program === undefined) return runContainer(docker, { Image: imageId, Cmd: command, Labels: labels, Tty: false, HostConfig: hardened }, timeoutMs);
      // Alone: the program's bytes, in a pristine base image of the lab. Nothing of the learner's
      // image comes along: not its loader or C library, not /etc/ld.so.*, not its variables or the
      // files beside the program. It runs as nobody, who can write nowhere (the root is read-only,
      // the program's own folder is root's).
      const file = await programFile(imageId, program);
      if (!file || file.size > file.bytes.length) return { stdout: '', stderr: '', exitCode: 127, timedOut: false, startError: file ? `${program} is larger than ${PROGRAM_BYTES_LIMIT / 1024 ** 2} MiB` : `no file at ${program}` };
      const base = await firstPresent(docker, checkBases);
      if (!base) throw new CannotJudge('engine_unavailable', 'the lab\'s base image for running a program on its own is missing from the engine');
      const alone = { Image: base, Entrypoint: [`${ALONE_FOLDER}/program`], Cmd: [], Env: [], User: '65534:65534', WorkingDir: FRESH_FOLDER, Labels: labels, Tty: false };
      if (programsFolder === undefined) {
        return runContainer(docker, { ...alone, HostConfig: { ...hardened, Mounts: [{ Type: 'volume', Source: '', Target: ALONE_FOLDER }] } },
          timeoutMs, (container) => container.putArchive(programArchive(file.bytes), { path: ALONE_FOLDER }));
      }
      // A file of this run's own, owned by root, readable and runnable by anyone, mounted read-only.
      const hostFile = path.join(programsFolder, `${randomBytes(12).toString('hex')}.program`);
      await fs.mkdir(programsFolder, { recursive: true, mode: 0o711 });
      await fs.writeFile(hostFile, file.bytes, { mode: 0o755 });
      try {
        return await runContainer(docker, { ...alone, HostConfig: { ...hardened, Mounts: [{ Type: 'bind', Source: hostFile, Target: `${ALONE_FOLDER}/program`, ReadOnly: true }] } }, timeoutMs);
      } finally {
        await fs.rm(hostFile, { force: true });
      }
    }, (outcome) => !outcome.timedOut), // a timeout may be the machine's load, not the image

    async stepWrites(imageId) {
      const recorded = records.stepWrites(imageId);
      if (recorded !== undefined) return recorded;
      if (await isBase(imageId)) return 'base';
      // A step the gateway did not see run (the build cache gave it): read from the image's layers,
      // once for the image and every step under it, then kept.
      const read = await evidence.layers.get(`layers ${imageId}`, () => layerWrites(docker, imageId, isBase));
      if (read !== undefined) records.recordStepWrites(read);
      return read?.find((step) => step.id === imageId)?.writes;
    },

    labImage: async () => {
      const base = await firstPresent(docker, checkBases);
      return base === undefined ? undefined : (await docker.getImage(base).inspect()).Id;
    },

    pathsExist: (imageId, paths) => evidence.paths.get(`paths ${imageId} ${JSON.stringify(paths)}`, () => inspectFiles(imageId, async (container) => {
      const found: Record<string, boolean> = {};
      for (const p of paths) found[p] = await container.infoArchive({ path: p }).then(() => true, unreadableAs(false));
      return found;
    })),

    // One read per file per grading run: every check of the run judges the same copy.
    readFile: (homePath) => memo(reads, homePath, async () => {
      const workspace = docker.getContainer(workspaceName(learnerId));
      const exists = await workspace.inspect().then(() => true, notFoundAs(false));
      if (!exists) throw new CannotJudge('workspace_missing', 'your workspace is not there any more: open the terminal once, then check again');
      const archive = await workspace.getArchive({ path: `/home/learner/${homePath}` }).catch(notFoundAs(undefined));
      if (!archive) return undefined;
      const tar = await readCapped(archive as NodeJS.ReadableStream, FILE_LIMIT + 4096);
      if (!tar) return undefined; // larger than any file a check reads
      const read = await readContext(tar);
      const file = read.ok ? read.value.find((entry) => entry.type === 'file') : undefined;
      return file?.data?.subarray(0, FILE_LIMIT).toString('utf8');
    }),
  };
}

/** The archive's first entry when it is a regular file (its first PROGRAM_BYTES_LIMIT bytes), or where it links. */
async function firstFile(archive: NodeJS.ReadableStream): Promise<{ file: Omit<ProgramFile, 'imagePreloads' | 'path'> } | { link: string } | undefined> {
  const extract = tar.extract();
  (archive as unknown as Readable).pipe(extract);
  try {
    for await (const entry of extract) {
      const { header } = entry as unknown as { header: tar.Header };
      if (header.type === 'symlink' && header.linkname) return { link: header.linkname };
      if (header.type !== 'file') return undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= PROGRAM_BYTES_LIMIT) break;
      }
      const bytes = Buffer.concat(chunks).subarray(0, PROGRAM_BYTES_LIMIT);
      return { file: { bytes, size: header.size ?? bytes.length, executable: ((header.mode ?? 0) & 0o111) !== 0 } };
    }
    return undefined;
  } finally {
    (archive as unknown as Readable).destroy?.();
    extract.destroy();
  }
}

/** A recorded build in grading's terms: the learner's names, the canonical Dockerfile, the stages. */
function provenanceOf(build: RecordedBuild | undefined, ns: Namespace): Provenance | undefined {
  if (!build) return undefined;
  const plan = build.plan as { stages?: Provenance['stages']; target?: string; folder?: FolderFacts; stageImages?: string[] } | undefined;
  return {
    dockerfileName: build.dockerfileName, dockerfile: build.dockerfile, stages: plan?.stages ?? [], target: plan?.target, folder: plan?.folder ?? { files: {}, scripts: [] }, stageImages: plan?.stageImages ?? [],
    tags: build.tags, laterTags: build.laterTags.map((t) => ns.toLearner(t)), outcome: build.outcome, log: build.log,
  };
}

/** What the engine said when it could not start a container, without the host's paths. */
function startErrorText(error: unknown): string {
  const text = String((error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? '');
  // The runtime's own reason follows its last "caused: " (e.g. exec: "/bin/sh": stat /bin/sh: no such file or directory).
  const reason = text.split('caused: ').at(-1) ?? text;
  return reason.replace(/\/(var\/lib|run|proc|sys)\/\S*/g, '…').replace(/: unknown$/, '').slice(0, 300);
}

function memo<T>(map: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  if (!map.has(key)) map.set(key, compute());
  return map.get(key)!;
}

/**
 * The engine's answer about one path of an image: any refusal (404, or 400/500 for a link loop, a
 * name longer than 255, a path through a file) means no file is there to read; only an engine that
 * did not answer is a real failure.
 */
function unreadableAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    if (status >= 400 && status < 600) return value;
    throw error;
  };
}

/** A 404 from the engine means "not there"; anything else is a real failure. */
function notFoundAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    if ((error as { statusCode?: number }).statusCode === 404) return value;
    throw error;
  };
}

/** Splits the engine's multiplexed attach stream (8-byte frame headers) into stdout and stderr, bounded. */
function collect(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const out = [Buffer.alloc(0), Buffer.alloc(0)];
    let pending = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const which = pending[0] === 2 ? 1 : 0;
        if (out[which]!.length < OUTPUT_LIMIT) out[which] = Buffer.concat([out[which]!, pending.subarray(8, 8 + size)]).subarray(0, OUTPUT_LIMIT);
        pending = pending.subarray(8 + size);
      }
    });
    const done = () => resolve({ stdout: out[0]!.toString('utf8'), stderr: out[1]!.toString('utf8') });
    stream.on('end', done);
    stream.on('close', done);
  });
}

/**
 * Creates a check container, runs it for at most `timeoutMs` and removes it (with its volumes).
 * `prepare` runs between create and start. A start the engine refuses is the image's program that
 * cannot be executed: the learner's work, judged, not an engine failure.
 */
async function runContainer(docker: Docker, options: Docker.ContainerCreateOptions, timeoutMs: number, prepare?: (container: Docker.Container) => Promise<unknown>): Promise<RunOutcome> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(options);
  } catch (error) {
    // A 400 is the image's own configuration refused (no command specified): the learner's work, judged.
    if ((error as { statusCode?: number }).statusCode !== 400) throw error;
    return { stdout: '', stderr: '', exitCode: 127, timedOut: false, startError: startErrorText(error) };
  }
  try {
    await prepare?.(container);
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const output = collect(stream);
    try {
      await container.start();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode ?? 0;
      if (status < 400 || status >= 600 || status === 404) throw error;
      return { stdout: '', stderr: '', exitCode: 127, timedOut: false, startError: startErrorText(error) };
    }
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const finished = await Promise.race([container.wait(), timer]);
    if (finished === 'timeout') await container.kill().catch(() => undefined); // it may have just exited
    const { stdout, stderr } = await output;
    const exitCode = finished === 'timeout' ? 137 : (finished as { StatusCode: number }).StatusCode;
    return { stdout, stderr, exitCode, timedOut: finished === 'timeout' };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined); // already gone
  }
}

/** A tar stream holding one file, `program`, executable by anyone, owned by root. */
function programArchive(bytes: Buffer): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'program', mode: 0o755, uid: 0, gid: 0, size: bytes.length }, bytes);
  pack.finalize();
  return pack as unknown as Readable;
}

/** The first of `images` the engine has. */
async function firstPresent(docker: Docker, images: readonly string[]): Promise<string | undefined> {
  for (const image of images) {
    if (await docker.getImage(image).inspect().then(() => true, notFoundAs(false))) return image;
  }
  return undefined;
}
