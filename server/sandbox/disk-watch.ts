// Disk quotas by accounting: overlay2 on ext4 cannot cap a container's writes, so every few seconds
// this looks at what each of this server's learners holds on disk and stops what has outgrown the
// quota: a learner container, a build step (found by its per-learner cgroup parent), or the
// workspace whose home folder keeps growing past it. Only that learner is stopped.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { LABELS } from './policy.ts';
import { homeVolumeName } from './workspace.ts';

const run = promisify(execFile);

export interface DiskWatchDeps {
  docker: Docker;
  diskBytes: number;
  /** Whether the learner is one of this server's. */
  ours: (learnerId: string) => boolean;
  /** Stops the learner's workspace (their home folder outgrew the quota). */
  stopWorkspace: (learnerId: string) => Promise<void>;
}

export class DiskWatch {
  readonly #deps: DiskWatchDeps;
  /** Home sizes at the previous check: a home over quota is stopped only while it still grows. */
  readonly #homes = new Map<string, number>();
  #duWarned = false;

  constructor(deps: DiskWatchDeps) {
    this.#deps = deps;
  }

  async check(): Promise<void> {
    const { docker, diskBytes } = this.#deps;
    const running = (await docker.listContainers({ size: true, filters: { status: ['running'] } })) as (Docker.ContainerInfo & { SizeRw?: number })[];
    for (const info of running) {
      if ((info.SizeRw ?? 0) <= diskBytes) continue;
      // A build step inherits labels the Dockerfile set, so its cgroup parent (ours) names its learner first.
      const learnerId = (await this.#builder(info.Id)) ?? info.Labels[LABELS.learner];
      if (!learnerId || !this.#deps.ours(learnerId) || info.Labels[LABELS.role] === 'workspace') continue;
      console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, container: info.Id.slice(0, 12), bytes: info.SizeRw }));
      await docker.getContainer(info.Id).kill().catch(() => undefined); // it may have exited meanwhile
    }
    for (const info of running.filter((c) => c.Labels[LABELS.role] === 'workspace')) {
      const learnerId = info.Labels[LABELS.learner] ?? '';
      if (!this.#deps.ours(learnerId)) continue;
      const bytes = await this.#homeBytes(learnerId);
      if (bytes === undefined) continue;
      const before = this.#homes.get(learnerId) ?? 0;
      this.#homes.set(learnerId, bytes);
      if (bytes > diskBytes && bytes > before) {
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, home: true, bytes }));
        await this.#deps.stopWorkspace(learnerId);
      }
    }
  }

  /** The learner whose build step this is, from the cgroup parent the gateway gave it. */
  async #builder(containerId: string): Promise<string | undefined> {
    const inspect = await this.#deps.docker.getContainer(containerId).inspect().catch(() => undefined);
    return /^\/stagecraft-builds\/([a-f0-9]{20})$/.exec(inspect?.HostConfig.CgroupParent ?? '')?.[1];
  }

  async #homeBytes(learnerId: string): Promise<number | undefined> {
    const volume = await this.#deps.docker.getVolume(homeVolumeName(learnerId)).inspect().catch(() => undefined);
    if (!volume) return undefined;
    try {
      const { stdout } = await run('du', ['-sb', volume.Mountpoint], { timeout: 10_000 });
      return Number(stdout.split('\t')[0]);
    } catch (error) {
      if (!this.#duWarned) console.warn(`Home folders are not measured: cannot read ${volume.Mountpoint} (${(error as Error).message.split('\n')[0]}).`);
      this.#duWarned = true;
      return undefined;
    }
  }
}
