// The sandbox: the only part of the server that speaks to the Docker Engine for learners.
import Docker from 'dockerode';
import { Workspaces } from './workspace.ts';
import { DEFAULT_LIFECYCLE, Lifecycle, type LifecycleOptions } from './lifecycle.ts';
import { DiskWatch } from './disk-watch.ts';
import { BASE_IMAGES, DEFAULT_QUOTAS, type Quotas } from './policy.ts';
import { learnerEngine } from './learner-engine.ts';
import { Namespace } from './gateway/names.ts';
import type { LearnerEngine } from '../grading/index.ts';

const DISK_CHECK_EVERY_MS = 5_000;
const BUILD_LOG_BYTES = 16 * 1024;
import { spawnShell, type ShellStream } from './shell.ts';
import { openEngineShell } from './engine-shell.ts';
import type { Refusal } from './gateway/police.ts';

export type { ShellStream } from './shell.ts';
export { DEFAULT_LIFECYCLE, type LifecycleOptions } from './lifecycle.ts';
export type { Refusal } from './gateway/police.ts';
export { workspaceName, homeVolumeName, WORKSPACE_IMAGE } from './workspace.ts';
export { LABELS, LIMITS, DEFAULT_QUOTAS, type Quotas } from './policy.ts';

/** The offline profile's lab images, by role. */
export const LAB_IMAGES = {
  toolchain: 'stagecraft/toolchain:latest',
  runtime: 'stagecraft/runtime:latest',
  workspace: 'stagecraft/workspace:latest',
} as const;

export interface EngineVersion { version: string; apiVersion: string }

export interface ImageLayers {
  name: string;
  size: number;
  layers: { createdBy: string; size: number }[];
}

export interface Sandbox {
  /** The engine's version, or undefined when it does not answer. */
  engineVersion(): Promise<EngineVersion | undefined>;
  /** Whether each lab image is present in the engine. */
  imageStatus(): Promise<Record<keyof typeof LAB_IMAGES, boolean>>;
  /** Ensures the learner's workspace and opens a new shell in it. */
  openShell(learnerId: string, size: { cols: number; rows: number }): Promise<ShellStream>;
  /** One learner's images and files, for grading. */
  learnerEngine(learnerId: string): LearnerEngine;
  /** The layers of the learner's image (newest first, as `docker history` lists them), or undefined. */
  imageLayers(learnerId: string, name: string): Promise<ImageLayers | undefined>;
  /** Checks disk quotas, stops idle workspaces, removes long-stopped ones, expires old homes (also on timers). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  engineSocket: string;
  profile: 'offline' | 'docs';
  dataDir: string;
  onRefusal?: (learnerId: string, refusal: Refusal, request: { method: string; url: string }) => void;
  lifecycle?: LifecycleOptions;
  quotas?: Quotas;
  /** How a shell is opened: the engine API's exec stream (default), or node-pty running `docker exec -it`. */
  shell?: 'engine' | 'pty';
  /** Whether someone is looking at the learner's terminal now: such a workspace is never idle. */
  inUse?: (learnerId: string) => boolean;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const docker = new Docker({ socketPath: options.engineSocket });
  const engineVersion = async (): Promise<EngineVersion | undefined> => {
    try {
      const answer = await docker.version();
      return { version: answer.Version, apiVersion: answer.ApiVersion };
    } catch {
      return undefined; // the engine is down: callers report it
    }
  };
  // The tail of each learner's last build output, for grading's hints (memory only: a hint, not a record).
  const lastBuilds = new Map<string, string>();
  const buildLog = (learnerId: string) => ({
    start: () => lastBuilds.set(learnerId, ''),
    append: (text: string) => lastBuilds.set(learnerId, ((lastBuilds.get(learnerId) ?? '') + text).slice(-BUILD_LOG_BYTES)),
  });
  const workspaces = new Workspaces({
    buildLog,
    docker,
    engineSocket: options.engineSocket,
    dataDir: options.dataDir,
    profile: options.profile,
    quotas: options.quotas ?? DEFAULT_QUOTAS,
    engineVersion: async () => (await engineVersion())?.version ?? 'unknown',
    onRefusal: options.onRefusal,
  });
  const lifecycleOptions = options.lifecycle ?? DEFAULT_LIFECYCLE;
  const lifecycle = new Lifecycle(docker, workspaces, options.dataDir, lifecycleOptions, options.inUse ?? (() => false));
  const disk = new DiskWatch({
    docker,
    diskBytes: (options.quotas ?? DEFAULT_QUOTAS).diskBytes,
    ours: (learnerId) => lifecycle.ours(learnerId),
    stopWorkspace: (learnerId) => lifecycle.stop(learnerId),
  });
  const sweep = () => lifecycle.sweep().catch((error: unknown) => console.error('sandbox: sweep failed:', error));
  const checkDisk = () => disk.check().catch((error: unknown) => console.error('sandbox: disk check failed:', error));
  // Accounting is all the disk quota has here, so look often: a fast writer gets a few seconds.
  const diskTimer = setInterval(checkDisk, DISK_CHECK_EVERY_MS);
  diskTimer.unref();
  // At start-up this reclaims what a crashed server left running; then it keeps workspaces tidy.
  void sweep();
  const timer = setInterval(sweep, Math.max(1_000, Math.min(60_000, lifecycleOptions.idleStopMs / 4)));
  timer.unref();
  return {
    engineVersion,
    async imageStatus() {
      const present = async (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
      const [toolchain, runtime, workspace] = await Promise.all(Object.values(LAB_IMAGES).map(present));
      return { toolchain: toolchain!, runtime: runtime!, workspace: workspace! };
    },
    async openShell(learnerId, size) {
      lifecycle.touch(learnerId);
      const container = await workspaces.ensure(learnerId);
      const shell = options.shell === 'pty' ? spawnShell(container, options.engineSocket, size) : await openEngineShell(docker, container, size);
      return { ...shell, write: (data) => { lifecycle.touch(learnerId); shell.write(data); } };
    },
    learnerEngine: (learnerId) => {
      const images = BASE_IMAGES[options.profile];
      return learnerEngine(docker, learnerId, new Namespace(learnerId, { refs: images.refs, repositories: images.repositories }), () => lastBuilds.get(learnerId));
    },
    async imageLayers(learnerId, name) {
      const images = BASE_IMAGES[options.profile];
      const target = new Namespace(learnerId, { refs: images.refs, repositories: images.repositories }).image(name);
      if (!target.ok || target.value.kind === 'id') return undefined;
      const image = docker.getImage(target.value.engineRef);
      const info = await image.inspect().catch(() => undefined); // missing: the learner has not built it
      if (!info) return undefined;
      const history = (await image.history()) as { CreatedBy: string; Size: number }[];
      return { name, size: info.Size, layers: history.map((h) => ({ createdBy: h.CreatedBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim(), size: h.Size })) };
    },
    async sweep() {
      await disk.check();
      await lifecycle.sweep();
    },
    async close() {
      clearInterval(timer);
      clearInterval(diskTimer);
      await workspaces.close();
    },
  };
}
