// One engine's sandbox: workspaces, gateways, lifecycle and disk watch of the learners pinned to it.
// The pool (./pool.ts) holds one of these per endpoint.
import { withoutLabLabelStep } from './lab-label-step.ts';
import Docker from 'dockerode';
import path from 'node:path';
import { GATEWAY_MOUNT, Workspaces } from './workspace.ts';
import { openRelayShell } from './relay-shell.ts';
import { LESSON_FILES_COMMAND } from './lesson-files.ts';
import { execAsLearner } from './learner-exec.ts';
import { DEFAULT_LIFECYCLE, Lifecycle } from './lifecycle.ts';
import { DiskWatch } from './disk-watch.ts';
import { BASE_IMAGES, DEFAULT_QUOTAS, LABELS, LIMITS } from './policy.ts';
import { imageEvidence, learnerEngine } from './learner-engine.ts';
import { Namespace } from './gateway/names.ts';
import { spawnShell, type ShellEnded, type ShellStream } from './shell.ts';
import { openEngineShell } from './engine-shell.ts';
import { within } from './within.ts';
import { dockerodeOptions, type EngineEndpoint } from './endpoint.ts';
import { LAB_IMAGES, memoryBuildRecords, type EngineVersion, type Sandbox, type SandboxOptions } from './types.ts';
import { WRITES_POLICY } from '../grading/index.ts';
import { AnsweredRequest } from '../../src/schemas/checks.ts';

const DISK_CHECK_EVERY_MS = 5_000;
const BUILD_LOG_BYTES = 16 * 1024;

export interface EngineSandboxOptions extends Omit<SandboxOptions, 'engines' | 'pins'> {
  engine: EngineEndpoint;
  /** Whether the pool last found the engine answering; timers skip a down engine. */
  up?: () => boolean;
}

export interface EngineSandbox extends Omit<Sandbox, 'engines'> {
  /** Workspaces running on this engine (any server's): the pool's measure of load. */
  runningWorkspaces(): Promise<number>;
  /** The engine's version, or the error that kept it from answering (the pool tells slow from gone). */
  probe(): Promise<EngineVersion>;
  /** The start-up sweep: also removes what a server that stopped mid-check left (see lifecycle). */
  reclaim(): Promise<void>;
}

/** A shell opened before anyone asked for it; `ended` once it exits (then it is not handed out). */
interface ReadyShell { shell: Promise<ShellStream | undefined>; ended: boolean }
/** How long a shell opened ahead waits for its socket before it is closed. */
const READY_SHELL_MS = 30_000;
/** The size a shell opened ahead starts with; the socket that takes it resizes it at once. */
const PREPARED_SIZE = { cols: 80, rows: 24 };

export function createEngineSandbox(options: EngineSandboxOptions): EngineSandbox {
  const docker = new Docker(dockerodeOptions(options.engine));
  const probe = async (): Promise<EngineVersion> => {
    const answer = await docker.version();
    return { version: answer.Version, apiVersion: answer.ApiVersion };
  };
  // The engine is down: callers report it.
  const engineVersion = (): Promise<EngineVersion | undefined> => probe().catch(() => undefined);
  const evidence = imageEvidence();
  const baseImages = BASE_IMAGES[options.profile];
  /** The learner's names, mapped to the engine's (the course's base images read-only). */
  const namespace = (learnerId: string) => new Namespace(learnerId, { refs: baseImages.refs, repositories: baseImages.repositories });
  // The tail of each learner's last build output, for grading's hints (memory only: a hint, not a record).
  const lastBuilds = new Map<string, string>();
  const buildLog = (learnerId: string) => ({
    start: () => lastBuilds.set(learnerId, ''),
    append: (text: string) => lastBuilds.set(learnerId, ((lastBuilds.get(learnerId) ?? '') + text).slice(-BUILD_LOG_BYTES)),
  });
  const records = options.builds ?? memoryBuildRecords();
  const engineUrl = options.engine.url;
  const builds = (learnerId: string) => ({
    start: (build: { dockerfileName: string; dockerfile: string; plan: unknown; tags: string[] }) => records.startBuild({ ...build, learnerId, engine: engineUrl }),
    finish: records.finishBuild.bind(records),
    tagged: (imageId: string, tag: string) => records.recordTag(learnerId, engineUrl, imageId, tag),
    built: (imageId: string) => records.builtImage(learnerId, engineUrl, imageId),
    images: () => records.builtImages(learnerId, engineUrl),
  });
  const workspaces = new Workspaces({
    buildLog,
    builds,
    onImagesChanged: options.onImagesChanged,
    docker,
    engine: options.engine,
    dataDir: options.dataDir,
    profile: options.profile,
    quotas: options.quotas ?? DEFAULT_QUOTAS,
    engineVersion: async () => (await engineVersion())?.version ?? 'unknown',
    onRefusal: options.onRefusal,
    lessonStarts: options.lessonStarts,
    onAnswered: (learnerId, handler) => {
      if (!(AnsweredRequest.options as readonly string[]).includes(handler) || records.answered(learnerId, engineUrl, handler)) return;
      records.recordAnswer(learnerId, engineUrl, handler);
      options.onImagesChanged?.(learnerId); // an open lesson page regrades: its checks may read this
    },
  });
  const lifecycleOptions = options.lifecycle ?? DEFAULT_LIFECYCLE;
  const up = options.up ?? (() => true);
  const lifecycle = new Lifecycle(docker, workspaces, options.dataDir, lifecycleOptions, options.inUse ?? (() => false),
    (learnerId) => records.builtImages(learnerId, engineUrl));
  const disk = new DiskWatch({
    docker,
    diskBytes: (options.quotas ?? DEFAULT_QUOTAS).diskBytes,
    diskFiles: (options.quotas ?? DEFAULT_QUOTAS).diskFiles,
    ours: (learnerId) => lifecycle.ours(learnerId),
    stopWorkspace: (learnerId) => lifecycle.stop(learnerId),
  });
  // A down engine is the pool's to report, once; these timers wait for it to come back.
  const sweepNow = async () => {
    await disk.check();
    await lifecycle.sweep();
  };
  const sweep = () => up() && lifecycle.sweep().catch((error: unknown) => console.error('sandbox: sweep failed:', error));
  const checkDisk = () => up() && disk.check().catch((error: unknown) => console.error('sandbox: disk check failed:', error));
  // Accounting is all the disk quota has here, so look often: a fast writer gets a few seconds.
  const diskTimer = setInterval(checkDisk, DISK_CHECK_EVERY_MS);
  diskTimer.unref();
  // Keeps workspaces tidy; the pool runs the first sweep (the start-up reaper) once the engine answers.
  const timer = setInterval(sweep, Math.max(1_000, Math.min(60_000, lifecycleOptions.idleStopMs / 4)));
  timer.unref();
  // A shell opened ahead of a learner's first socket (prepareWorkspace), handed to that socket.
  const readyShells = new Map<string, ReadyShell>();
  // The relay needs the gateway folder on the engine's host: a Unix socket engine, on this host.
  const shellKind = options.shell === 'relay' && options.engine.kind !== 'unix' ? 'engine' : options.shell ?? 'relay';
  const openShell = async (container: string, learnerId: string, size: { cols: number; rows: number }) => {
    if (shellKind === 'pty') return spawnShell(container, options.engine, size);
    if (shellKind === 'engine') return openEngineShell(docker, container, size, options.engine.kind === 'unix');
    try {
      return await openRelayShell(docker, container, { folder: path.join(options.dataDir, 'gateways', learnerId), mountedAt: GATEWAY_MOUNT }, size);
    } catch (error) {
      // A workspace made from an older image has no socat: the engine's stream still gives a shell.
      console.warn(JSON.stringify({ event: 'relay_fallback', learner: learnerId, reason: (error as Error).message }));
      return openEngineShell(docker, container, size, true);
    }
  };
  return {
    engineVersion,
    probe,
    async imageStatus() {
      const present = async (name: string) => docker.getImage(name).inspect().then(() => true, () => false);
      const [toolchain, runtime, workspace] = await Promise.all(Object.values(LAB_IMAGES).map(present));
      return { toolchain: toolchain!, runtime: runtime!, workspace: workspace! };
    },
    async prepareWorkspace(learnerId) {
      lifecycle.touch(learnerId);
      const container = workspaces.ensure(learnerId);
      // The relay and bash start too: the socket that comes next finds its prompt waiting. The shell
      // is promised at once, so a socket that comes while the workspace is still starting waits for
      // it rather than opening a second one (which would find the kept shell with no prompt shown).
      if (shellKind !== 'relay' || readyShells.has(learnerId)) return void (await container);
      const ready: ReadyShell = { ended: false, shell: container.then((id) => openShell(id, learnerId, PREPARED_SIZE)).then((shell) => {
        shell.onExit(() => { ready.ended = true; });
        return shell;
      }, () => undefined) };
      readyShells.set(learnerId, ready);
      setTimeout(() => {
        if (readyShells.get(learnerId) !== ready) return;
        readyShells.delete(learnerId); // nobody came for it
        void ready.shell.then((shell) => shell?.kill());
      }, READY_SHELL_MS).unref();
      await container;
      await ready.shell; // done when the prompt is on its way (the socket that comes may take it earlier)
    },
    async openShell(learnerId, size) {
      lifecycle.touch(learnerId);
      const ready = readyShells.get(learnerId);
      readyShells.delete(learnerId);
      const container = await workspaces.ensure(learnerId);
      let shell = ready && !ready.ended ? await ready.shell : undefined;
      if (shell && !ready!.ended) shell.resize(size.cols, size.rows);
      else shell = await openShell(container, learnerId, size);
      return {
        ...shell,
        write: (data) => { lifecycle.touch(learnerId); shell.write(data); },
        onExit: (listener) => shell.onExit((code) => void whyStopped(docker, container).then((ended) => listener(code, ended))),
        onGone: (listener) => shell.onExit(() => listener()),
        endAll: () => endLearnerProcesses(docker, container),
      };
    },
    learnerEngine: (learnerId) => learnerEngine(docker, learnerId, namespace(learnerId), () => lastBuilds.get(learnerId), evidence, {
      buildOfImage: (imageId) => records.buildOfImage(learnerId, engineUrl, imageId),
      latestBuild: () => records.latestBuild(learnerId, engineUrl),
      stepWrites: (imageId) => records.stepWrites(engineUrl, imageId, WRITES_POLICY),
      recordStepWrites: (steps) => records.recordStepWrites(engineUrl, steps.map((step) => ({ ...step, policy: WRITES_POLICY }))),
      answered: (request) => records.answered(learnerId, engineUrl, request),
    }, baseImages.alone, options.engine.kind === 'unix' ? path.join(options.dataDir, 'check-programs') : undefined),
    async startLesson(learnerId, slug, reset) {
      lifecycle.touch(learnerId);
      const container = await workspaces.ensure(learnerId);
      const { exitCode, output } = await execAsLearner(docker, container, [LESSON_FILES_COMMAND, ...(reset ? ['--reset'] : []), slug], 30_000);
      return { ok: exitCode === 0, output };
    },
    async imageLayers(learnerId, name) {
      const target = namespace(learnerId).image(name);
      if (!target.ok || target.value.kind === 'id') return undefined;
      const image = docker.getImage(target.value.engineRef);
      const info = await image.inspect().catch(() => undefined); // missing: the learner has not built it
      if (!info) return undefined;
      const history = withoutLabLabelStep((await image.history()) as { CreatedBy: string; Size: number }[]);
      return { name, size: info.Size, layers: history.map((h) => ({ createdBy: h.CreatedBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim(), size: h.Size })) };
    },
    async runningWorkspaces() {
      const running = await docker.listContainers({ filters: { label: [`${LABELS.role}=workspace`], status: ['running'] } });
      return running.length;
    },
    sweep: sweepNow,
    async reclaim() {
      const checks = await lifecycle.removeLeftChecks();
      if (checks > 0) console.info(JSON.stringify({ event: 'left_checks_removed', engine: options.engine.url, containers: checks }));
      // No build outlives the server that ran it: every step container of ours is left over.
      const steps = await lifecycle.removeLeftSteps(0);
      if (steps > 0) console.info(JSON.stringify({ event: 'left_build_steps_removed', engine: options.engine.url, containers: steps }));
      await sweepNow();
    },
    async close() {
      clearInterval(timer);
      clearInterval(diskTimer);
      await workspaces.close();
    },
  };
}

/**
 * Ends every process of the learner in the workspace but the init and what it runs (the workspace
 * itself, warm, with its /tmp): the shell, its jobs, a kept dtach. As the learner, so nothing else
 * can be hit, and without forking (the learner may have used up the pids limit): one kill(-1)
 * stops every process at once, a fork loop included; then each is killed by its /proc entry, the
 * workspace's first process (tini's oldest child) is let go on, and the script fails if any is left.
 */
const END_ALL = `kill -STOP -1 2>/dev/null
keep=
read -r kids < /proc/1/task/1/children || true
for p in $kids; do if [ -z "$keep" ] || [ "$p" -lt "$keep" ]; then keep=$p; fi; done
[ -n "$keep" ] || exit 4
alive() { while read -r key value _; do if [ "$key" = State: ]; then [ "$value" != Z ]; return; fi; done < "/proc/$1/status"; }
left=1; round=0
while [ "$left" = 1 ] && [ "$round" -lt 200 ]; do
  left=0; round=$((round + 1))
  for d in /proc/[0-9]*; do p=\${d#/proc/}; case $p in 1|$$|$keep) ;; *) if alive "$p" 2>/dev/null; then left=1; kill -KILL "$p" 2>/dev/null; fi ;; esac; done
done
kill -CONT "$keep"
[ "$left" = 0 ]`;

/**
 * Ends the learner's processes (END_ALL); where that cannot be done (the engine could not start it,
 * or something is left), the workspace is restarted instead, which ends everything (home kept, /tmp
 * emptied). Says which.
 */
async function endLearnerProcesses(docker: Docker, container: string): Promise<{ restarted: boolean }> {
  const ended = await execAsLearner(docker, container, ['sh', '-c', END_ALL], 10_000).then((run) => run.exitCode === 0, () => false);
  if (ended) return { restarted: false };
  await docker.getContainer(container).restart({ t: 0 });
  return { restarted: true };
}

/** Whether a shell ended because its workspace stopped (the learner's `kill 1`, out of memory), and
 * how to say so. Undefined when it still runs, or when the engine does not answer at once. */
async function whyStopped(docker: Docker, container: string): Promise<ShellEnded | undefined> {
  const handle = docker.getContainer(container);
  // The shell's stream can end a moment before the engine has seen the workspace stop: give it a
  // second and a half (a plain `exit` waits that long for its new prompt), then stop asking.
  const asking = new AbortController();
  const stopped = await within(handle.wait({ condition: 'not-running', abortSignal: asking.signal }).then(() => true, () => false), 1_500);
  asking.abort();
  if (!stopped) return undefined;
  const info = await within(handle.inspect().catch(() => undefined), 3_000);
  if (!info || info.State.Running) return undefined;
  const what = info.State.OOMKilled ? `it ran out of memory (${LIMITS.workspaceMemory / 1024 ** 2} MiB)` : `its first process ended (exit code ${info.State.ExitCode})`;
  return { cause: 'workspace_stopped', message: `Your workspace stopped: ${what}. A new one starts now; your home folder is kept.` };
}
