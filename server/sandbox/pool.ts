// A pool of Docker engines behind one Sandbox. Each learner is pinned to one engine (their home
// volume lives there); a new learner goes to the answering engine with the fewest running
// workspaces. An engine that stops answering is marked down: its learners' shells end with a
// message saying so, and opening one answers at once instead of hanging.
import { createEngineSandbox, type EngineSandbox } from './engine-sandbox.ts';
import type { EngineEndpoint } from './endpoint.ts';
import type { ShellStream } from './shell.ts';
import type { EngineState, EngineVersion, Sandbox, SandboxOptions } from './types.ts';
import { CannotJudge, type LearnerEngine } from '../grading/index.ts';

const HEALTH_EVERY_MS = 5_000;
const HEALTH_TIMEOUT_MS = 3_000;
/** Longest a workspace may take to open (created, started, shell connected) before the learner is told. */
const OPEN_TIMEOUT_MS = 30_000;
export const OPEN_TOO_SLOW = 'Your workspace is taking too long to start; the Docker engine may be overloaded. Retrying.';

/** What a learner reads when their engine is down (a websocket close reason: at most 123 bytes). */
export const ENGINE_DOWN = 'The Docker engine that holds your workspace is not answering. Your files are kept; retrying.';
export const NO_ENGINE = 'No Docker engine is answering right now, so no workspace can start. Retrying.';

/** A failure the learner should read as it is. */
export class WorkspaceUnavailable extends Error {}

interface Member {
  number: number;
  endpoint: EngineEndpoint;
  sandbox: EngineSandbox;
  /** Whether the engine answered its last health check; undefined until the first one. */
  up: boolean | undefined;
  version: EngineVersion | undefined;
  /** Learners being placed here right now: not yet counted by the engine as running workspaces. */
  placing: number;
  /** Open shells, to end with a message when the engine goes down. */
  shells: Set<(notice: string) => void>;
}

const timeout = <T>(work: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([work, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);

/** Errors that mean the engine itself is unreachable, not that a request was refused. */
const unreachable = (error: unknown) =>
  ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes((error as { code?: string }).code ?? '');

export function createEnginePool(options: SandboxOptions): Sandbox {
  const members: Member[] = options.engines.map((endpoint, i) => {
    const member: Member = { number: i + 1, endpoint, up: undefined, version: undefined, placing: 0, shells: new Set(), sandbox: undefined! };
    member.sandbox = createEngineSandbox({ ...options, engine: endpoint, up: () => member.up === true });
    return member;
  });
  const log = (event: string, member: Member) => console.info(JSON.stringify({ event, engine: member.number, endpoint: member.endpoint.url }));

  const markDown = (member: Member) => {
    if (member.up === false) return;
    member.up = false;
    log('engine_down', member);
    for (const end of [...member.shells]) end(ENGINE_DOWN);
  };
  const check = async (member: Member) => {
    const version = await timeout(member.sandbox.engineVersion(), HEALTH_TIMEOUT_MS);
    member.version = version;
    if (!version) return markDown(member);
    if (member.up !== true) log('engine_up', member);
    member.up = true;
  };
  const checkAll = () => Promise.all(members.map(check));
  // The first check decides which engines get the start-up sweep (it reclaims what a crash left).
  const ready = checkAll().then(() => {
    for (const member of members) if (member.up) void member.sandbox.sweep().catch((error: unknown) => console.error('sandbox: sweep failed:', error));
  });
  const timer = setInterval(() => void checkAll(), options.healthEveryMs ?? HEALTH_EVERY_MS);
  timer.unref();

  const byUrl = (url: string | undefined) => members.find((m) => m.endpoint.url === url);
  /** The learner's engine, or undefined when they have none yet (nothing of theirs exists anywhere). */
  const pinnedMember = (learnerId: string) => byUrl(options.pins.pinned(learnerId));

  const place = async (learnerId: string): Promise<Member> => {
    const pinned = options.pins.pinned(learnerId);
    const member = byUrl(pinned);
    if (member) return member;
    // An engine taken out of the list keeps its volumes, but this server can no longer reach them.
    if (pinned) console.warn(JSON.stringify({ event: 'engine_repin', learner: learnerId, from: pinned }));
    await ready;
    const candidates = members.filter((m) => m.up);
    // An engine that does not say how loaded it is in time is not a place for a new learner.
    const loads = await Promise.all(candidates.map(async (m) => ((await timeout(m.sandbox.runningWorkspaces().catch(() => Infinity), HEALTH_TIMEOUT_MS)) ?? Infinity) + m.placing));
    const least = Math.min(...loads);
    const chosen = candidates[loads.indexOf(least)];
    if (!chosen || least === Infinity) throw new WorkspaceUnavailable(NO_ENGINE);
    options.pins.pin(learnerId, chosen.endpoint.url);
    return chosen;
  };

  return {
    async engineVersion() {
      await ready;
      return members.find((m) => m.up)?.version;
    },
    async imageStatus() {
      await ready;
      const answering = members.filter((m) => m.up);
      const statuses = await Promise.all(answering.map((m) => timeout(m.sandbox.imageStatus(), HEALTH_TIMEOUT_MS)));
      const everywhere = (role: 'toolchain' | 'runtime' | 'workspace') => statuses.length > 0 && statuses.every((s) => s?.[role] === true);
      return { toolchain: everywhere('toolchain'), runtime: everywhere('runtime'), workspace: everywhere('workspace') };
    },
    engines(): EngineState[] {
      const counts = options.pins.counts();
      return members.map((m) => ({ engine: m.number, up: m.up === true, version: m.version?.version ?? null, learners: counts[m.endpoint.url] ?? 0 }));
    },
    async openShell(learnerId, size) {
      const member = await place(learnerId);
      if (!member.up) throw new WorkspaceUnavailable(ENGINE_DOWN);
      member.placing++;
      let shell: ShellStream;
      const opening = member.sandbox.openShell(learnerId, size);
      try {
        const opened = await timeout(opening, OPEN_TIMEOUT_MS);
        if (!opened) {
          void opening.then((late) => late.kill(), () => undefined); // nobody waits for it any more
          throw new WorkspaceUnavailable(OPEN_TOO_SLOW);
        }
        shell = opened;
      } catch (error) {
        if (!unreachable(error)) throw error;
        markDown(member);
        throw new WorkspaceUnavailable(ENGINE_DOWN);
      } finally {
        member.placing--;
      }
      return trackShell(member, shell);
    },
    learnerEngine(learnerId) {
      const member = pinnedMember(learnerId) ?? members[0]!;
      // A down engine (maybe unreachable, not refusing) must not make a check wait: answer at once.
      return member.up !== false ? member.sandbox.learnerEngine(learnerId) : unreachableEngine;
    },
    imageLayers: async (learnerId, name) => pinnedMember(learnerId)?.sandbox.imageLayers(learnerId, name),
    async sweep() {
      await checkAll();
      for (const member of members) if (member.up) await member.sandbox.sweep();
    },
    async close() {
      clearInterval(timer);
      await Promise.all(members.map((m) => m.sandbox.close()));
    },
  };
}

const unavailable = async (): Promise<never> => {
  throw new CannotJudge('engine_unavailable', ENGINE_DOWN);
};
/** What grading sees of a learner whose engine is down: every check is an `error`, never a `fail`. */
const unreachableEngine: LearnerEngine = {
  image: unavailable, run: unavailable, pathsExist: unavailable, readFile: unavailable, lastBuildOutput: () => undefined,
  config: unavailable, fileHead: unavailable, provenance: unavailable, imageNames: unavailable, lastBuild: unavailable,
};

/** The shell, registered with its engine until it exits, so a down engine can end it with a notice. */
function trackShell(member: Member, shell: ShellStream): ShellStream {
  const listeners: ((code: number, notice?: string) => void)[] = [];
  let exited = false;
  const exit = (code: number, notice?: string) => {
    if (exited) return;
    exited = true;
    member.shells.delete(endWithNotice);
    for (const listener of listeners) listener(code, notice);
  };
  const endWithNotice = (notice: string) => {
    exit(-1, notice);
    shell.kill();
  };
  member.shells.add(endWithNotice);
  // A shell whose engine just died may end before the engine is found down: the browser then
  // reconnects at once, and that open is what finds the engine down and says so.
  shell.onExit((code) => exit(code, member.up ? undefined : ENGINE_DOWN));
  return { ...shell, onExit: (listener) => void listeners.push(listener) };
}
