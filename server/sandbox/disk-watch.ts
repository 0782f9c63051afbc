// Disk quotas by accounting: overlay2 on ext4 cannot cap a container's writes, so every few seconds
// this looks at what each of this server's learners holds on disk and stops what has outgrown the
// quota: the learner's containers and build steps (found by their per-learner cgroup parent),
// whose writes together may not pass it, or the workspace whose home folder keeps growing past it.
// Only that learner's are stopped.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { builderOf } from './build-cgroup.ts';
import { LABELS } from './policy.ts';
import { homeVolumeName, workspaceName } from './workspace.ts';

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
    // Sizes are costly for the engine (it walks each container's writable layer), so they are asked
    // for one container at a time, and never for workspaces (their root is read-only; homes are du's).
    const running = await docker.listContainers({ filters: { status: ['running'] } });
    // A workspace by the name the server gave it, not by a label alone: nothing a learner runs or
    // builds can take a name outside their namespace, so a build step labelled "workspace" is still measured.
    const isWorkspace = (c: Docker.ContainerInfo) => c.Labels[LABELS.role] === 'workspace' && c.Names.includes(`/${workspaceName(c.Labels[LABELS.learner] ?? '')}`);
    const workspaces = running.filter(isWorkspace);
    // What each learner's running containers and build steps have written, together: containers
    // created first and started at once each pass the checks at create and start, then all write.
    const writers = new Map<string, { id: string; bytes: number }[]>();
    for (const info of running.filter((c) => !isWorkspace(c))) {
      const inspect = await docker.getContainer(info.Id).inspect({ size: true } as unknown as Docker.ContainerInspectOptions).catch(() => undefined) as (Docker.ContainerInspectInfo & { SizeRw?: number }) | undefined;
      if (!inspect || !inspect.SizeRw) continue;
      // A build step inherits labels the Dockerfile set, so its cgroup parent (ours) names its learner first.
      const learnerId = builderOf(inspect.HostConfig.CgroupParent) ?? info.Labels[LABELS.learner];
      if (!learnerId || !this.#deps.ours(learnerId)) continue;
      writers.set(learnerId, [...(writers.get(learnerId) ?? []), { id: info.Id, bytes: inspect.SizeRw }]);
    }
    for (const [learnerId, containers] of writers) {
      let total = containers.reduce((sum, c) => sum + c.bytes, 0);
      // The largest writers stop first, until what is left fits.
      for (const container of containers.sort((a, b) => b.bytes - a.bytes)) {
        if (total <= diskBytes) break;
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, container: container.id.slice(0, 12), bytes: container.bytes, total }));
        await docker.getContainer(container.id).kill().catch(() => undefined); // it may have exited meanwhile
        total -= container.bytes;
      }
    }
    const learners = workspaces.map((info) => info.Labels[LABELS.learner] ?? '').filter((learnerId) => this.#deps.ours(learnerId));
    const homes = await this.#homeBytes(learners);
    for (const learnerId of learners) {
      const bytes = homes.get(learnerId);
      if (bytes === undefined) continue;
      const before = this.#homes.get(learnerId) ?? 0;
      this.#homes.set(learnerId, bytes);
      if (bytes > diskBytes && bytes > before) {
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, home: true, bytes }));
        await this.#deps.stopWorkspace(learnerId);
      }
    }
  }

  /** Bytes in each learner's home volume, by one `du` for them all (one process, not one per learner). */
  async #homeBytes(learners: string[]): Promise<Map<string, number>> {
    const mounts = new Map<string, string>();
    for (const learnerId of learners) {
      const volume = await this.#deps.docker.getVolume(homeVolumeName(learnerId)).inspect().catch(() => undefined);
      if (volume) mounts.set(volume.Mountpoint, learnerId);
    }
    const sizes = new Map<string, number>();
    if (mounts.size === 0) return sizes;
    let stdout: string;
    try {
      ({ stdout } = await run('du', ['-sb', '--', ...mounts.keys()], { timeout: 30_000, maxBuffer: 4 * 1024 ** 2 }));
    } catch (error) {
      // du exits non-zero when one folder vanished meanwhile; what it measured is still good.
      stdout = (error as { stdout?: string }).stdout ?? '';
      if (!stdout && !this.#duWarned) console.warn(`Home folders are not measured: du failed (${(error as Error).message.split('\n')[0]}).`);
      this.#duWarned ||= !stdout;
    }
    for (const line of stdout.split('\n')) {
      const tab = line.indexOf('\t');
      const learnerId = mounts.get(line.slice(tab + 1));
      if (tab > 0 && learnerId) sizes.set(learnerId, Number(line.slice(0, tab)));
    }
    return sizes;
  }
}
