// The settings the gateway writes over every policed create and build, whatever the learner asked.
import path from 'node:path';
import { LABELS, LIMITS } from '../policy.ts';
import { isPlainObject, refuse, type Result } from './police.ts';

/** Labels the learner may not set: they carry ownership. */
function learnerLabels(labels: unknown): Result<Record<string, string>> {
  const out: Record<string, string> = {};
  if (labels === null || labels === undefined) return { ok: true, value: out };
  if (!isPlainObject(labels)) return refuse('malformed_request', 'labels must be an object', 400);
  let bytes = 0;
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith('org.stagecraft.')) return refuse('setting_forbidden', `the label "${key}" is reserved by the lab`);
    if (typeof value !== 'string') return refuse('malformed_request', `label "${key}" must be a string`, 400);
    out[key] = value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  // Labels come back in every list and inspect answer the gateway relays, for as long as the object lives.
  if (bytes > LIMITS.labelBytes) return refuse('body_too_large', `the labels take ${bytes} bytes, more than the ${LIMITS.labelBytes / 1024} KiB this lab allows: use fewer or shorter labels`, 413);
  return { ok: true, value: out };
}

/**
 * A bounded tmpfs over each path the image declares with VOLUME. Left alone, the engine would make
 * an anonymous volume there: writes outside the container's SizeRw (so outside the disk watcher and
 * the quotas) that outlive `docker rm` and the lifecycle. A tmpfs lives in the container's memory
 * (its pages count against the container's memory limit), holds at most `imageVolumeBytes`, and goes
 * with the container. The price: the files the image has at that path are not copied in, as the
 * engine does for a volume; the folder starts empty.
 */
function imageVolumeMounts(volumes: unknown): Result<Record<string, unknown>[]> {
  const targets = new Set(Object.keys(isPlainObject(volumes) ? volumes : {}).map((target) => path.posix.normalize(target).replace(/(.)\/$/, '$1')));
  if (targets.size > LIMITS.maxImageVolumes) {
    return refuse('setting_forbidden', `the image declares ${targets.size} volumes (VOLUME), more than the ${LIMITS.maxImageVolumes} this lab allows: declare fewer in its Dockerfile`);
  }
  return { ok: true, value: [...targets].map((target) => ({ Type: 'tmpfs', Target: target, TmpfsOptions: { SizeBytes: LIMITS.imageVolumeBytes } })) };
}

/** `imageVolumes` is the image's `Config.Volumes` as the engine reports it (an object keyed by path, or null). */
export function forceContainerCreate(body: Record<string, unknown>, learnerId: string, imageVolumes?: unknown): Result<Record<string, unknown>> {
  const labels = learnerLabels(body.Labels);
  if (!labels.ok) return labels;
  const mounts = imageVolumeMounts(imageVolumes);
  if (!mounts.ok) return mounts;
  const hostConfig = isPlainObject(body.HostConfig) ? body.HostConfig : {};
  // A health check every millisecond is an exec storm on the engine.
  const interval = isPlainObject(body.Healthcheck) ? Number(body.Healthcheck.Interval ?? 0) : 0;
  if (interval !== 0 && !(interval >= 1e9)) return refuse('setting_forbidden', '--health-interval must be at least 1s in this lab');
  return {
    ok: true,
    value: {
      ...body,
      Labels: { ...labels.value, [LABELS.learner]: learnerId, [LABELS.role]: 'learner-container' },
      HostConfig: {
        ...hostConfig,
        NetworkMode: 'none',
        // A container's log is on the host disk and outside its SizeRw: cap it.
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Memory: LIMITS.containerMemory,
        MemorySwap: LIMITS.containerMemory,
        PidsLimit: LIMITS.containerPids,
        NanoCpus: LIMITS.containerNanoCpus,
        Mounts: mounts.value,
      },
      NetworkingConfig: { EndpointsConfig: {} },
    },
  };
}

export function forceBuildQuery(query: URLSearchParams, learnerId: string, cgroupParent?: string): Result<URLSearchParams> {
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(query.get('labels') ?? '{}');
  } catch {
    return refuse('malformed_request', 'the build option "labels" must be JSON', 400);
  }
  const labels = learnerLabels(parsed);
  if (!labels.ok) return labels;
  const forced = new URLSearchParams(query);
  forced.set('labels', JSON.stringify({ ...labels.value, [LABELS.learner]: learnerId }));
  forced.set('version', '1');
  forced.set('networkmode', 'none');
  forced.set('memory', String(LIMITS.containerMemory));
  forced.set('memswap', String(LIMITS.containerMemory));
  forced.set('cpuperiod', '100000');
  forced.set('cpuquota', String(Math.round(LIMITS.containerNanoCpus / 1e9 * 100_000)));
  if (cgroupParent) forced.set('cgroupparent', cgroupParent);
  // Each step's container is kept until the build ends: the gateway reads what it wrote, then removes
  // it (a failed step's too; build.ts), so none is left outside any quota.
  forced.set('rm', '0');
  forced.set('forcerm', '0');
  return { ok: true, value: forced };
}
