// API 1.41 has no pids limit for builds, so each learner's build steps run under a parent cgroup of
// ours whose pids.max caps them all together (a fork bomb in a RUN step stops there). Needs the
// engine's cgroupfs driver and a writable /sys/fs/cgroup (root); otherwise builds keep the
// memory and CPU limits only, and the server says so once.
import fs from 'node:fs';
import path from 'node:path';
import { LIMITS } from './policy.ts';

const ROOT = '/sys/fs/cgroup';
const PARENT = 'stagecraft-builds';
let warned = false;

/** The learner whose build step a container is, from the cgroup parent the gateway gave it (no learner can set one). */
export function builderOf(cgroupParent: string | undefined): string | undefined {
  return new RegExp(`^/${PARENT}/([a-f0-9]{20})$`).exec(cgroupParent ?? '')?.[1];
}

/** The cgroup parent to give the learner's builds, or undefined when it cannot be made here. */
export function prepareBuildCgroup(learnerId: string, root = ROOT): string | undefined {
  const unified = fs.existsSync(path.join(root, 'cgroup.controllers'));
  const base = unified ? path.join(root, PARENT) : path.join(root, 'pids', PARENT);
  try {
    fs.mkdirSync(path.join(base, learnerId), { recursive: true });
    // cgroup v2 hands a controller to children only when the parent lists it.
    if (unified) fs.writeFileSync(path.join(base, 'cgroup.subtree_control'), '+pids');
    fs.writeFileSync(path.join(base, learnerId, 'pids.max'), String(LIMITS.buildPids));
    return `/${PARENT}/${learnerId}`;
  } catch (error) {
    if (!warned) console.warn(`Builds run without a process limit: cannot prepare ${base} (${(error as Error).message}).`);
    warned = true;
    return undefined;
  }
}

/**
 * Removes the learner's (empty) build cgroup; a cgroup still in use stays. With cgroup v1 the
 * engine makes the parent in every hierarchy (cpu, memory, …), not only in ours (pids).
 */
export function removeBuildCgroup(learnerId: string, root = ROOT): void {
  const hierarchies = fs.existsSync(path.join(root, 'cgroup.controllers')) ? [''] : fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const dir of hierarchies.map((h) => path.join(root, h, PARENT, learnerId))) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // absent, or a build is still running in it: the next removal takes it
    }
  }
}
