// Disk quotas by accounting: overlay2 on ext4 cannot cap a container's writes, so every few seconds
// this looks at what each of this server's learners holds on disk and stops what has outgrown the
// quota: the learner's containers and build steps (found by their per-learner cgroup parent),
// whose writes together may not pass it, or the workspace whose home folder keeps growing past it.
// Bytes and files (inodes: a million empty files take no bytes, but the disk runs out of inodes)
// both count, and so does an engine volume a build step writes in (a VOLUME in its Dockerfile).
// A container can write and exit between two looks, past anything a look could stop: so what a
// stopped container keeps counts too, and the learner's stopped containers that hold the quota
// are removed, largest first, until what is left fits. Only that learner's are touched.
import type Docker from 'dockerode';
import { builderOf } from './build-cgroup.ts';
import { du } from './du.ts';
import { LABELS } from './policy.ts';
import { homeVolumeName, workspaceName } from './workspace.ts';

export interface DiskWatchDeps {
  docker: Docker;
  diskBytes: number;
  diskFiles: number;
  /** Whether the learner is one of this server's. */
  ours: (learnerId: string) => boolean;
  /** Stops the learner's workspace (their home folder outgrew the quota). */
  stopWorkspace: (learnerId: string) => Promise<void>;
}

export class DiskWatch {
  readonly #deps: DiskWatchDeps;
  /** Home sizes at the previous check: a home over quota is stopped only while it still grows. */
  readonly #homes = new Map<string, { bytes: number; files: number }>();
  /** Files in each container at the previous check: one over the files quota is stopped only while it grows. */
  #files = new Map<string, number>();
  /** What a stopped container keeps, by id and the time it stopped: its layer no longer changes. */
  #stoppedSizes = new Map<string, { bytes: number; files: number }>();
  #duWarned = false;
  #looking: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(deps: DiskWatchDeps) {
    this.#deps = deps;
  }

  /**
   * One look at a time (du on a huge layer can take seconds): asked while one runs, the next look
   * starts when it ends, and every ask meanwhile shares that next one.
   */
  check(): Promise<void> {
    if (!this.#looking) {
      this.#looking = this.#look().finally(() => { this.#looking = undefined; });
      return this.#looking;
    }
    this.#next ??= this.#looking.catch(() => undefined).then(() => {
      this.#next = undefined;
      return this.check();
    });
    return this.#next;
  }

  async #look(): Promise<void> {
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
    const writers = new Map<string, Writer[]>();
    for (const info of running.filter((c) => !isWorkspace(c))) {
      const inspect = await docker.getContainer(info.Id).inspect({ size: true } as unknown as Docker.ContainerInspectOptions).catch(() => undefined) as (Docker.ContainerInspectInfo & { SizeRw?: number }) | undefined;
      if (!inspect) continue;
      // A build step inherits labels the Dockerfile set, so its cgroup parent (ours) names its learner first.
      const learnerId = builderOf(inspect.HostConfig.CgroupParent) ?? info.Labels[LABELS.learner];
      if (!learnerId || !this.#deps.ours(learnerId)) continue;
      writers.set(learnerId, [...(writers.get(learnerId) ?? []), { id: info.Id, bytes: inspect.SizeRw ?? 0, files: 0, running: true, ...placesOf(inspect) }]);
    }
    // Stopped containers keep their bytes and files: they count, measured once per stop.
    const stopped = await docker.listContainers({ all: true, filters: { status: ['exited', 'created', 'dead'], label: [LABELS.learner] } });
    const seen = new Set([...writers.values()].flat().map((w) => w.id)); // one that stopped since the first list is there already
    for (const info of stopped.filter((c) => !isWorkspace(c) && !seen.has(c.Id))) {
      const learnerId = info.Labels[LABELS.learner] ?? '';
      if (!this.#deps.ours(learnerId)) continue;
      const inspect = await docker.getContainer(info.Id).inspect().catch(() => undefined);
      if (!inspect) continue;
      const stoppedAt = `${info.Id}@${inspect.State.FinishedAt}`;
      const known = this.#stoppedSizes.get(stoppedAt);
      const removable = info.Labels[LABELS.role] === 'learner-container';
      const writer: Writer = { id: info.Id, bytes: known?.bytes ?? 0, files: known?.files ?? -1, running: false, stoppedAt, removable, ...placesOf(inspect) };
      writers.set(learnerId, [...(writers.get(learnerId) ?? []), writer]);
    }
    const all = [...writers.values()].flat();
    const measure = all.filter((w) => w.running || w.files < 0);
    const files = await this.#du(measure.flatMap((w) => [w.layer, ...w.volumes]).filter((p): p is string => !!p), '--inodes');
    // The engine weighs a running container's layer (SizeRw); du weighs the rest.
    const weighed = measure.flatMap((w) => (w.running ? w.volumes : [w.layer, ...w.volumes])).filter((p): p is string => !!p);
    const bytes = await this.#du(weighed, '-b');
    for (const writer of measure) {
      writer.files = [writer.layer, ...writer.volumes].reduce((sum, p) => sum + (p ? files.get(p) ?? 0 : 0), 0);
      writer.bytes += (writer.running ? writer.volumes : [writer.layer, ...writer.volumes]).reduce((sum, p) => sum + (p ? bytes.get(p) ?? 0 : 0), 0);
    }
    this.#stoppedSizes = new Map(all.flatMap((w) => (w.stoppedAt ? [[w.stoppedAt, { bytes: w.bytes, files: w.files }] as const] : [])));
    const filesBefore = this.#files;
    this.#files = new Map(all.filter((w) => w.running).map((w) => [w.id, w.files]));
    for (const [learnerId, containers] of writers) {
      const active = containers.filter((c) => c.running);
      let total = active.reduce((sum, c) => sum + c.bytes, 0);
      // The largest writers stop first, until what is left fits.
      for (const container of active.sort((a, b) => b.bytes - a.bytes)) {
        if (total <= diskBytes) break;
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, container: container.id.slice(0, 12), bytes: container.bytes, total }));
        await this.#stop(container);
        total -= container.bytes;
      }
      // Files stay when a container stops: over the files quota, every container still adding some stops.
      let allFiles = containers.reduce((sum, c) => sum + c.files, 0);
      if (allFiles > this.#deps.diskFiles) {
        for (const container of active.filter((c) => !c.stopped && c.files > (filesBefore.get(c.id) ?? 0))) {
          console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, container: container.id.slice(0, 12), files: container.files, totalFiles: allFiles }));
          await this.#stop(container);
          allFiles -= container.files; // what it holds is weighed again, stopped, at the next look
        }
      }
      // Writes already done (a container that wrote and exited between two looks, or one started
      // again and again): the learner's stopped containers that hold either quota with the rest go,
      // the largest first, until what is left fits (build steps go with their build).
      let held = total + containers.filter((c) => !c.running).reduce((sum, c) => sum + c.bytes, 0);
      const over = (c: Writer) => (held > diskBytes ? c.bytes : 0) + (allFiles > this.#deps.diskFiles ? c.files : 0);
      for (;;) {
        const heaviest = containers.filter((c) => !c.running && c.removable && !c.removed).sort((a, b) => over(b) - over(a))[0];
        if (!heaviest || over(heaviest) === 0) break;
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, container: heaviest.id.slice(0, 12), bytes: heaviest.bytes, files: heaviest.files, held, totalFiles: allFiles, removed: true }));
        await this.#deps.docker.getContainer(heaviest.id).remove({ v: true }).catch(() => undefined); // removed by the learner meanwhile
        heaviest.removed = true;
        held -= heaviest.bytes;
        allFiles -= heaviest.files;
      }
    }
    const learners = workspaces.map((info) => info.Labels[LABELS.learner] ?? '').filter((learnerId) => this.#deps.ours(learnerId));
    const homes = await this.#homeSizes(learners);
    for (const learnerId of learners) {
      const size = homes.get(learnerId);
      if (size === undefined) continue;
      const before = this.#homes.get(learnerId) ?? { bytes: 0, files: 0 };
      this.#homes.set(learnerId, size);
      const overBytes = size.bytes > this.#deps.diskBytes && size.bytes > before.bytes;
      const overFiles = size.files > this.#deps.diskFiles && size.files > before.files;
      if (overBytes || overFiles) {
        console.info(JSON.stringify({ event: 'disk_quota', learner: learnerId, home: true, bytes: size.bytes, files: size.files }));
        await this.#deps.stopWorkspace(learnerId);
      }
    }
  }

  async #stop(writer: Writer): Promise<void> {
    writer.stopped = true;
    await this.#deps.docker.getContainer(writer.id).kill().catch(() => undefined); // it may have exited meanwhile
  }

  /** Bytes and files in each learner's home volume, by one `du` each for them all (not one per learner). */
  async #homeSizes(learners: string[]): Promise<Map<string, { bytes: number; files: number }>> {
    const mounts = new Map<string, string>();
    for (const learnerId of learners) {
      const volume = await this.#deps.docker.getVolume(homeVolumeName(learnerId)).inspect().catch(() => undefined);
      if (volume) mounts.set(volume.Mountpoint, learnerId);
    }
    const [bytes, files] = [await this.#du([...mounts.keys()], '-b'), await this.#du([...mounts.keys()], '--inodes')];
    const sizes = new Map<string, { bytes: number; files: number }>();
    for (const [mount, learnerId] of mounts) {
      if (bytes.has(mount)) sizes.set(learnerId, { bytes: bytes.get(mount)!, files: files.get(mount) ?? 0 });
    }
    return sizes;
  }

  /** `du -s` of each folder; a failure other than a folder that vanished is said once. */
  async #du(folders: string[], unit: '-b' | '--inodes'): Promise<Map<string, number>> {
    const { sizes, failure } = await du(folders, unit);
    if (failure && !this.#duWarned) console.warn(`Disk use is not measured: du failed (${failure}).`);
    this.#duWarned ||= failure !== undefined;
    return sizes;
  }
}

/** A learner's container as the watcher weighs it. */
interface Writer {
  id: string;
  /** What its writable layer and volumes hold. */
  bytes: number;
  /** Files in them; -1 until measured. */
  files: number;
  running: boolean;
  /** A stopped container's id and the time it stopped: it is measured once for this key. */
  stoppedAt?: string;
  /** A stopped container of the learner's own (not a check's) that may be removed to free its disk. */
  removable?: boolean;
  /** Removed by this check. */
  removed?: boolean;
  /** Stopped by this check. */
  stopped?: boolean;
  /** Its writable layer on the engine's disk (overlay2's upper folder), if the engine says. */
  layer: string | undefined;
  /** The engine volumes it has mounted (a build step after VOLUME): they are outside its layer. */
  volumes: string[];
}

function placesOf(inspect: Docker.ContainerInspectInfo): Pick<Writer, 'layer' | 'volumes'> {
  return {
    layer: (inspect.GraphDriver?.Data as { UpperDir?: string } | undefined)?.UpperDir,
    volumes: (inspect.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Source).map((m) => m.Source),
  };
}
