// A learner's workspace: the hardened container their terminal runs in, and the gateway socket
// folder mounted into it. Created on first use, reused (and restarted if stopped) afterwards.
import fs from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { BASE_IMAGES, LABELS, LIMITS, type Handler, type Quotas } from './policy.ts';
import { listenGateway, type Gateway } from './gateway/server.ts';
import { prepareBuildCgroup } from './build-cgroup.ts';
import type { Refusal } from './gateway/police.ts';
import type { LearnerBuilds } from './gateway/context.ts';
import type { EngineEndpoint } from './endpoint.ts';
import { LayerFiles } from './layer-files.ts';
import { writeLessonFiles, type LessonStart } from './lesson-files.ts';

export const WORKSPACE_IMAGE = 'stagecraft/workspace:latest';
/** Where the learner's gateway folder appears inside the workspace; the image links /var/run/docker.sock into it. */
export const GATEWAY_MOUNT = '/run/stagecraft';
// sockaddr_un.sun_path is 108 bytes on Linux, including the final NUL.
const MAX_SOCKET_PATH = 107;

/** `name` in the learner's gateway folder, or an error for the operator when the path cannot be a Unix socket's. */
export function gatewaySocketPath(folder: string, name: string): string {
  const socketPath = path.join(folder, name);
  if (socketPath.length > MAX_SOCKET_PATH) {
    throw new Error(`STAGECRAFT_DATA is too deep for a Unix socket path (${socketPath.length} > ${MAX_SOCKET_PATH} bytes): choose a shorter folder`);
  }
  return socketPath;
}

export const workspaceName = (learnerId: string) => `stagecraft-ws-${learnerId}`;
export const homeVolumeName = (learnerId: string) => `stagecraft-home-${learnerId}`;

export interface WorkspaceDeps {
  docker: Docker;
  engine: EngineEndpoint;
  dataDir: string;
  engineVersion: () => Promise<string>;
  profile: 'offline' | 'docs';
  quotas: Quotas;
  /** The learner's last build output, as the gateway relays it (bounded by the caller). */
  buildLog?: (learnerId: string) => { start(): void; append(text: string): void };
  /** Where the learner's builds are recorded. */
  builds?: (learnerId: string) => LearnerBuilds;
  onImagesChanged?: (learnerId: string) => void;
  onRefusal?: (learnerId: string, refusal: Refusal, request: { method: string; url: string }) => void;
  /** The gateway answered a request of the learner's Docker CLI (their `docker version` reached the lab). */
  onAnswered?: (learnerId: string, handler: Handler) => void;
  /** Lessons' starting files, put in every gateway folder with the script that copies them home. */
  lessonStarts?: readonly LessonStart[];
}

export class Workspaces {
  readonly #deps: WorkspaceDeps;
  readonly #gateways = new Map<string, Gateway>();
  // One ensure at a time per learner: two tabs opening at once must not create two containers.
  readonly #pending = new Map<string, Promise<string>>();

  constructor(deps: WorkspaceDeps) {
    this.#deps = deps;
  }

  /** Makes sure the learner's gateway listens and their container runs; returns the container name. */
  ensure(learnerId: string): Promise<string> {
    if (!/^[a-f0-9]{20}$/.test(learnerId)) throw new Error(`invalid learner id ${JSON.stringify(learnerId)}`);
    const pending = this.#pending.get(learnerId);
    if (pending) return pending;
    const work = this.#ensure(learnerId).finally(() => this.#pending.delete(learnerId));
    this.#pending.set(learnerId, work);
    return work;
  }

  async #ensure(learnerId: string): Promise<string> {
    const folder = await this.#ensureGateway(learnerId);
    const name = workspaceName(learnerId);
    const container = this.#deps.docker.getContainer(name);
    const info = await container.inspect().catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
      return undefined; // first visit, or removed by the lifecycle
    });
    // A stopped workspace from an older workspace image is made anew (the home volume keeps every
    // file), so an upgrade reaches every learner on their next visit; a running one is left alone.
    const outdated = info && !info.State.Running && info.Image !== (await this.#deps.docker.getImage(WORKSPACE_IMAGE).inspect()).Id;
    if (outdated) await container.remove({ force: true });
    if (!info || outdated) await this.#create(learnerId, folder);
    if (!info?.State.Running) await container.start();
    return name;
  }

  /** The gateway folder (not the socket file) is mounted, so a restarted server can recreate the socket in it. */
  /** Files per image layer, counted once for all this engine's learners (layers are shared). */
  readonly #layerFiles = new LayerFiles();

  async #ensureGateway(learnerId: string): Promise<string> {
    const folder = path.join(this.#deps.dataDir, 'gateways', learnerId);
    if (this.#gateways.has(learnerId)) return folder;
    const socketPath = gatewaySocketPath(folder, 'docker.sock');
    await fs.mkdir(folder, { recursive: true, mode: 0o755 });
    await fs.chmod(folder, 0o755);
    await fs.rm(socketPath, { force: true }); // a socket left by a previous server process
    await writeLessonFiles(folder, this.#deps.lessonStarts ?? []);
    const images = BASE_IMAGES[this.#deps.profile];
    const gateway = await listenGateway(socketPath, {
      learnerId,
      base: { refs: images.refs, repositories: images.repositories },
      pullable: images.pullable,
      buildCgroupParent: prepareBuildCgroup(learnerId),
      quotas: this.#deps.quotas,
      // The engine's layer folders are readable only when it runs on this host.
      layerFiles: this.#deps.engine.kind === 'unix' ? this.#layerFiles : undefined,
      buildLog: this.#deps.buildLog?.(learnerId),
      builds: this.#deps.builds?.(learnerId),
      onImagesChanged: () => this.#deps.onImagesChanged?.(learnerId),
      engine: this.#deps.engine,
      engineVersion: await this.#deps.engineVersion(),
      onRefusal: (refusal, request) => this.#deps.onRefusal?.(learnerId, refusal, request),
      onAnswered: (handler) => this.#deps.onAnswered?.(learnerId, handler),
    });
    this.#gateways.set(learnerId, gateway);
    return folder;
  }

  async #create(learnerId: string, gatewayFolder: string): Promise<void> {
    await this.#deps.docker.createContainer({
      name: workspaceName(learnerId),
      Image: WORKSPACE_IMAGE,
      User: 'learner',
      WorkingDir: '/home/learner',
      Hostname: 'stagecraft',
      Labels: { [LABELS.learner]: learnerId, [LABELS.role]: 'workspace' },
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Init: true, // reaps the learner's orphaned processes, so zombies do not eat the pids limit
        // Only the home volume and a small /tmp are writable: nothing the learner does changes the image.
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${LIMITS.workspaceTmpBytes}` },
        Memory: LIMITS.workspaceMemory,
        MemorySwap: LIMITS.workspaceMemory,
        PidsLimit: LIMITS.workspacePids,
        NanoCpus: LIMITS.workspaceNanoCpus,
        Mounts: [
          { Type: 'volume', Source: homeVolumeName(learnerId), Target: '/home/learner' },
          { Type: 'bind', Source: gatewayFolder, Target: GATEWAY_MOUNT, ReadOnly: true },
        ],
      },
    });
  }

  /** Stops serving the learner's gateway (their workspace is being stopped or removed). */
  async release(learnerId: string): Promise<void> {
    const gateway = this.#gateways.get(learnerId);
    this.#gateways.delete(learnerId);
    await gateway?.close();
  }

  async close(): Promise<void> {
    const gateways = [...this.#gateways.values()];
    this.#gateways.clear();
    await Promise.all(gateways.map((gateway) => gateway.close()));
  }
}
