// What the rest of the server sees of the sandbox: one interface over a pool of engines.
import type { LearnerEngine } from '../grading/index.ts';
import type { EngineEndpoint } from './endpoint.ts';
import type { LifecycleOptions } from './lifecycle.ts';
import type { Quotas } from './policy.ts';
import type { ShellStream } from './shell.ts';
import type { Refusal } from './gateway/police.ts';
import type { BuildFinish, BuildStart, StepWritesRecord } from '../store/index.ts';
import type { LessonStart } from './lesson-files.ts';

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

/** One engine of the pool as the last health check found it (numbered from 1, in the operator's order). */
export interface EngineState { engine: number; up: boolean; version: string | null; learners: number }

/** Where each learner's workspace lives: kept in the store, so a restart keeps every learner on their engine. */
export interface EnginePins {
  pinned(learnerId: string): string | undefined;
  pin(learnerId: string, engineUrl: string): void;
  /** Learners pinned to each engine URL. */
  counts(): Record<string, number>;
}

// A build as the gateway began it and how it ended: the shapes the store keeps them in.
export type { BuildFinish, BuildStart, StepWritesRecord } from '../store/index.ts';

/**
 * What the gateway records: each build, and each tag given later. A learner owns an image their
 * build made (an earlier stage's result has no name and no label: only this record says whose).
 */
export interface BuildRecords {
  startBuild(start: BuildStart): number;
  finishBuild(id: number, finish: BuildFinish): void;
  recordTag(learnerId: string, engine: string, imageId: string, tag: string): void;
  builtImage(learnerId: string, engine: string, imageId: string): boolean;
  builtImages(learnerId: string, engine: string): string[];
  /** The latest finished build that made the image, with tags given since. */
  buildOfImage(learnerId: string, engine: string, imageId: string): RecordedBuild | undefined;
  /** The learner's latest build on the engine, whatever its outcome. */
  latestBuild(learnerId: string, engine: string): RecordedBuild | undefined;
  /** What the step that made the image wrote in the system's folders under `policy` (any learner's build), or undefined. */
  stepWrites(engine: string, imageId: string, policy: number): string[] | undefined;
  recordStepWrites(engine: string, steps: StepWritesRecord[]): void;
  /** Records that the gateway answered this request of the learner's Docker CLI. */
  recordAnswer(learnerId: string, engine: string, request: string): void;
  answered(learnerId: string, engine: string, request: string): boolean;
}

export interface RecordedBuild extends BuildStart {
  outcome: BuildFinish['outcome'] | 'running';
  imageId?: string;
  log: string;
  laterTags: string[];
}

/** Records kept in memory, for a sandbox used without a store (tools, some tests). */
export function memoryBuildRecords(): BuildRecords {
  let next = 1;
  const owners = new Map<number, BuildStart>();
  const builds = new Map<number, RecordedBuild>();
  const images = new Set<string>();
  const writes = new Map<string, string[]>();
  const answers = new Set<string>();
  const key = (learnerId: string, engine: string, imageId: string) => `${learnerId} ${engine} ${imageId}`;
  return {
    startBuild(start) {
      owners.set(next, start);
      builds.set(next, { ...start, outcome: 'running', log: '', laterTags: [] });
      return next++;
    },
    finishBuild(id, finish) {
      const owner = owners.get(id);
      if (!owner) return;
      for (const image of finish.images) images.add(key(owner.learnerId, owner.engine, image.id));
      for (const step of finish.steps ?? []) if (!writes.has(`${owner.engine} ${step.id} ${step.policy}`)) writes.set(`${owner.engine} ${step.id} ${step.policy}`, step.writes);
      builds.set(id, { ...owner, ...(finish.plan === undefined ? {} : { plan: finish.plan }), outcome: finish.outcome, imageId: finish.imageId, log: finish.log, laterTags: [] });
    },
    buildOfImage: (learnerId, engine, imageId) => [...builds.values()].reverse().find((b) => b.learnerId === learnerId && b.engine === engine && b.imageId === imageId && b.outcome === 'built'),
    latestBuild: (learnerId, engine) => [...builds.values()].reverse().find((b) => b.learnerId === learnerId && b.engine === engine),
    stepWrites: (engine, imageId, policy) => writes.get(`${engine} ${imageId} ${policy}`),
    recordStepWrites(engine, steps) {
      for (const step of steps) if (!writes.has(`${engine} ${step.id} ${step.policy}`)) writes.set(`${engine} ${step.id} ${step.policy}`, step.writes);
    },
    recordTag: () => undefined,
    recordAnswer: (learnerId, engine, request) => void answers.add(key(learnerId, engine, request)),
    answered: (learnerId, engine, request) => answers.has(key(learnerId, engine, request)),
    builtImage: (learnerId, engine, imageId) => images.has(key(learnerId, engine, imageId)),
    builtImages: (learnerId, engine) => [...images].filter((k) => k.startsWith(`${learnerId} ${engine} `)).map((k) => k.split(' ')[2]!),
  };
}

export interface Sandbox {
  /** The version of an answering engine, or undefined when none answers. */
  engineVersion(): Promise<EngineVersion | undefined>;
  /** Whether each lab image is present in every answering engine. */
  imageStatus(): Promise<Record<keyof typeof LAB_IMAGES, boolean>>;
  /** Every engine of the pool, as last checked. */
  engines(): EngineState[];
  /** Ensures the learner's workspace and opens a new shell in it. */
  openShell(learnerId: string, size: { cols: number; rows: number }): Promise<ShellStream>;
  /**
   * Creates and starts the learner's workspace ahead of their first shell (while their page and
   * terminal still load), so the shell finds it running. Never throws: the shell will say what failed.
   */
  prepareWorkspace(learnerId: string): Promise<void>;
  /** One learner's images and files, for grading. */
  learnerEngine(learnerId: string): LearnerEngine;
  /**
   * Puts a lesson's starting files into the learner's home (lesson-files.ts), starting their
   * workspace if need be: what the script printed, and whether it succeeded.
   */
  startLesson(learnerId: string, slug: string, reset: boolean): Promise<{ ok: boolean; output: string }>;
  /** The layers of the learner's image (newest first, as `docker history` lists them), or undefined. */
  imageLayers(learnerId: string, name: string): Promise<ImageLayers | undefined>;
  /** Checks disk quotas, stops idle workspaces, removes long-stopped ones, expires old homes (also on timers). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  engines: EngineEndpoint[];
  pins: EnginePins;
  /** Told when a learner's images change (a build ended, a tag, a removal), for live checks. */
  onImagesChanged?: (learnerId: string) => void;
  /** Where builds and the images they made are recorded; in memory when not given. */
  builds?: BuildRecords;
  profile: 'offline' | 'docs';
  dataDir: string;
  onRefusal?: (learnerId: string, refusal: Refusal, request: { method: string; url: string }) => void;
  lifecycle?: LifecycleOptions;
  quotas?: Quotas;
  /** How a shell is opened: a relay of our own in the workspace (default; Unix socket engines), the
   * engine API's exec stream, or node-pty running `docker exec -it`. */
  shell?: 'relay' | 'engine' | 'pty';
  /** Whether someone is looking at the learner's terminal now: such a workspace is never idle. */
  inUse?: (learnerId: string) => boolean;
  /** How often engines are checked, ms (tests shorten it). */
  healthEveryMs?: number;
  /** How long an engine may miss health checks by being slow before it is marked down, ms. */
  engineDownAfterMs?: number;
  /** Lessons' starting files, which learners may copy into their home (lesson-files.ts). */
  lessonStarts?: readonly LessonStart[];
}
