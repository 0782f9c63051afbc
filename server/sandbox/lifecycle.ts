// Workspaces come and go: an idle one stops, a long-stopped one is removed with everything its learner
// owned in the engine (the home volume stays), and a home volume unused past its retention goes too.
// The same sweep at start-up reclaims what a crashed server left running. Activity is the mtime of
// a file in the learner's gateway folder, so it survives restarts without a database.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { LABELS } from './policy.ts';
import { homeVolumeName, workspaceName, type Workspaces } from './workspace.ts';
import { builderOf, removeBuildCgroup } from './build-cgroup.ts';

/** A build step's container older than this was left behind: no build runs that long (the lab's limit is minutes). */
const STEP_LEFT_MS = 60 * 60 * 1000;

export interface LifecycleOptions {
  /** A workspace with no terminal attached and no input for this long is stopped. */
  idleStopMs: number;
  /** A workspace stopped (idle) for this long is removed with the learner's containers and images. */
  removeAfterMs: number;
  /** A home volume whose learner has not been seen for this long is removed. */
  homeRetentionMs: number;
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = {
  idleStopMs: 30 * 60_000,
  removeAfterMs: 7 * 24 * 3_600_000,
  homeRetentionMs: 30 * 24 * 3_600_000,
};

const ACTIVITY_FILE = 'last-active';
// Writing the activity file on every keystroke would be wasteful; a minute's precision is plenty.
const TOUCH_EVERY_MS = 10_000;

export class Lifecycle {
  readonly #docker: Docker;
  readonly #workspaces: Workspaces;
  readonly #gatewaysDir: string;
  readonly #options: LifecycleOptions;
  readonly #inUse: (learnerId: string) => boolean;
  readonly #touched = new Map<string, number>();

  /** `builtImages`: every image the learner's recorded builds made (earlier stages have no name). */
  readonly #builtImages: (learnerId: string) => string[];

  constructor(docker: Docker, workspaces: Workspaces, dataDir: string, options: LifecycleOptions, inUse: (learnerId: string) => boolean,
    builtImages: (learnerId: string) => string[] = () => []) {
    this.#builtImages = builtImages;
    this.#docker = docker;
    this.#workspaces = workspaces;
    this.#gatewaysDir = path.join(dataDir, 'gateways');
    this.#options = options;
    this.#inUse = inUse;
  }

  /** Records that the learner did something now. */
  touch(learnerId: string, now = Date.now()): void {
    if (now - (this.#touched.get(learnerId) ?? 0) < TOUCH_EVERY_MS) return;
    this.#touched.set(learnerId, now);
    const file = path.join(this.#gatewaysDir, learnerId, ACTIVITY_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    fs.utimesSync(file, now / 1000, now / 1000);
  }

  lastActive(learnerId: string): number | undefined {
    return fs.statSync(path.join(this.#gatewaysDir, learnerId, ACTIVITY_FILE), { throwIfNoEntry: false })?.mtimeMs;
  }

  /** One pass over every learner the engine knows of. */
  async sweep(now = Date.now()): Promise<void> {
    const workspaces = await this.#docker.listContainers({ all: true, filters: { label: [`${LABELS.role}=workspace`] } });
    const withWorkspace = new Set<string>();
    for (const workspace of workspaces) {
      const learnerId = workspace.Labels[LABELS.learner];
      if (!learnerId || !this.ours(learnerId)) continue;
      withWorkspace.add(learnerId);
      if (this.#inUse(learnerId)) continue;
      const idle = now - (this.lastActive(learnerId) ?? workspace.Created * 1000);
      if (workspace.State === 'running' && idle > this.#options.idleStopMs) await this.stop(learnerId);
      else if (workspace.State !== 'running' && idle > this.#options.removeAfterMs) await this.remove(learnerId);
    }
    await this.#stopStrays(workspaces);
    await this.#expireHomes(withWorkspace, now);
    await this.removeLeftSteps(STEP_LEFT_MS, now);
  }

  /**
   * Build-step containers of this server's learners that no build will read any more: the gateway
   * reads and removes each build's own as it ends, so one older than `olderThanMs` was left by a
   * server that stopped mid-build, or made by the engine just after a cut build was cleared. A step
   * is known by the cgroup parent the gateway gives the learner's builds (which no learner can set)
   * and has no role label of ours (a Dockerfile cannot set one).
   */
  async removeLeftSteps(olderThanMs: number, now = Date.now()): Promise<number> {
    const stopped = await this.#docker.listContainers({ all: true, filters: { status: ['created', 'exited', 'dead'] } });
    let removed = 0;
    for (const info of stopped.filter((c) => c.Labels[LABELS.role] === undefined && now - c.Created * 1000 >= olderThanMs)) {
      const inspect = await this.#docker.getContainer(info.Id).inspect().catch(() => undefined);
      const learnerId = builderOf(inspect?.HostConfig.CgroupParent);
      if (!learnerId || !this.ours(learnerId)) continue;
      await ignoreMissing(this.#docker.getContainer(info.Id).remove({ force: true, v: true }));
      removed++;
    }
    return removed;
  }

  /** Stops the learner's workspace and running containers; their files and images stay. */
  async stop(learnerId: string): Promise<void> {
    await this.#workspaces.release(learnerId);
    for (const info of await this.#learnerContainers(learnerId)) {
      if (info.State === 'running') await ignoreMissing(this.#docker.getContainer(info.Id).stop({ t: 1 }));
    }
    await ignoreMissing(this.#docker.getContainer(workspaceName(learnerId)).stop({ t: 1 }));
  }

  /** Removes the learner's workspace, containers (with any anonymous volume) and images; the home volume stays. */
  async remove(learnerId: string): Promise<void> {
    await this.#workspaces.release(learnerId);
    for (const info of await this.#learnerContainers(learnerId)) await ignoreMissing(this.#docker.getContainer(info.Id).remove({ force: true, v: true }));
    await ignoreMissing(this.#docker.getContainer(workspaceName(learnerId)).remove({ force: true }));
    // Their names, and the gateway's holds on their stage images.
    const prefixes = [`sc-${learnerId}/`, `sc-held-${learnerId}/`];
    for (const image of await this.#docker.listImages({ all: false })) {
      const tags = (image.RepoTags ?? []).filter((t) => prefixes.some((prefix) => t.startsWith(prefix)));
      const labelled = image.Labels?.[LABELS.learner] === learnerId && tags.length === 0 && (image.RepoTags ?? []).every((t) => t === '<none>:<none>');
      for (const ref of labelled ? [image.Id] : tags) await ignoreMissing(this.#docker.getImage(ref).remove());
    }
    // Untagged results of earlier stages, which only the build records tie to the learner; one that
    // carries anyone's name (the build cache made the same image for them) stays.
    for (const id of this.#builtImages(learnerId)) {
      const info = await this.#docker.getImage(id).inspect().catch(() => undefined);
      if (!info || (info.RepoTags ?? []).some((t) => t !== '<none>:<none>')) continue;
      await ignoreMissing(this.#docker.getImage(id).remove());
    }
    removeBuildCgroup(learnerId);
  }

  /**
   * Check containers of this server's learners. A check lives only as long as the request that runs
   * it, so at start-up every one was left by a server that stopped mid-check (one that runs a
   * learner's endless program would run on for ever).
   */
  async removeLeftChecks(): Promise<number> {
    const left = (await this.#docker.listContainers({ all: true, filters: { label: [`${LABELS.role}=check`] } }))
      .filter((info) => this.ours(info.Labels[LABELS.learner] ?? ''));
    for (const info of left) await ignoreMissing(this.#docker.getContainer(info.Id).remove({ force: true, v: true }));
    return left.length;
  }

  /** Learner containers still running with no running workspace: left by a crash. */
  async #stopStrays(workspaces: Docker.ContainerInfo[]): Promise<void> {
    const running = new Set(workspaces.filter((w) => w.State === 'running').map((w) => w.Labels[LABELS.learner]));
    const strays = await this.#docker.listContainers({ filters: { label: [`${LABELS.role}=learner-container`], status: ['running'] } });
    for (const info of strays) {
      const learnerId = info.Labels[LABELS.learner] ?? '';
      if (this.ours(learnerId) && !running.has(learnerId)) await ignoreMissing(this.#docker.getContainer(info.Id).stop({ t: 1 }));
    }
  }

  async #expireHomes(withWorkspace: Set<string>, now: number): Promise<void> {
    const { Volumes: volumes } = await this.#docker.listVolumes({ filters: { name: ['stagecraft-home-'] } });
    for (const volume of volumes ?? []) {
      const learnerId = /^stagecraft-home-([a-f0-9]{20})$/.exec(volume.Name)?.[1];
      if (!learnerId || !this.ours(learnerId) || withWorkspace.has(learnerId) || this.#inUse(learnerId)) continue;
      const created = Date.parse((volume as { CreatedAt?: string }).CreatedAt ?? '');
      const seen = this.lastActive(learnerId) ?? (Number.isNaN(created) ? now : created);
      if (now - seen > this.#options.homeRetentionMs) {
        await ignoreMissing(this.#docker.getVolume(homeVolumeName(learnerId)).remove());
        fs.rmSync(path.join(this.#gatewaysDir, learnerId), { recursive: true, force: true });
      }
    }
  }

  /**
   * Learners of this server: their gateway folder is in its data folder. Another server on the same
   * engine (a second course, a test run) has learners of its own, which this one must not touch.
   */
  ours(learnerId: string): boolean {
    return /^[a-f0-9]{20}$/.test(learnerId) && fs.existsSync(path.join(this.#gatewaysDir, learnerId));
  }

  #learnerContainers(learnerId: string): Promise<Docker.ContainerInfo[]> {
    return this.#docker.listContainers({ all: true, filters: { label: [`${LABELS.learner}=${learnerId}`, `${LABELS.role}=learner-container`] } });
  }
}

/** Something already gone is what we wanted; anything else is a real failure. */
async function ignoreMissing(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 304 && status !== 409) throw error;
  }
}
