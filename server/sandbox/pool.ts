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
/** How long after a shell's unexpected end to look at its engine and workspace. */
const EXPLAIN_AFTER_MS = 500;

/** What a learner reads when their engine is down (a websocket close reason: at most 123 bytes). */
export const ENGINE_DOWN = 'The Docker engine that holds your workspace is not answering. Your files are kept; retrying.';
export const WORKSPACE_STOPPED = 'Your workspace stopped (its Docker engine may be restarting). Your files are kept; reconnecting.';
export const NO_ENGINE = 'No Docker engine is answering right now, so no workspace can start. Retrying.';

/** A failure the learner should read as it is. */
export class WorkspaceUnavailable extends Error {}

interface Member {
  number: number;
  endpoint: EngineEndpoint;
  sandbox: EngineSandbox;
  up: boolean;
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
    const member: Member = { number: i + 1, endpoint, up: true, version: undefined, placing: 0, shells: new Set(), sandbox: undefined! };
    member.sandbox = createEngineSandbox({ ...options, engine: endpoint, up: () => member.up });
    return member;
  });
  const log = (event: string, member: Member) => console.info(JSON.stringify({ event, engine: member.number, endpoint: member.endpoint.url }));

  const markDown = (member: Member) => {
    if (!member.up) return;
    member.up = false;
    log('engine_down', member);
    for (const end of [...member.shells]) end(ENGINE_DOWN);
  };
  const check = async (member: Member) => {
    const version = await timeout(member.sandbox.engineVersion(), HEALTH_TIMEOUT_MS);
    member.version = version;
    if (!version) return markDown(member);
    if (!member.up) log('engine_up', member);
    member.up = true;
  };
  const checkAll = () => Promise.all(members.map(check));
  const ready = checkAll();
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
    const loads = await Promise.all(candidates.map(async (m) => (await m.sandbox.runningWorkspaces().catch(() => Infinity)) + m.placing));
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
      const statuses = await Promise.all(answering.map((m) => m.sandbox.imageStatus()));
      const everywhere = (role: 'toolchain' | 'runtime' | 'workspace') => statuses.length > 0 && statuses.every((s) => s[role]);
      return { toolchain: everywhere('toolchain'), runtime: everywhere('runtime'), workspace: everywhere('workspace') };
    },
    engines(): EngineState[] {
      const counts = options.pins.counts();
      return members.map((m) => ({ engine: m.number, up: m.up, version: m.version?.version ?? null, learners: counts[m.endpoint.url] ?? 0 }));
    },
    async openShell(learnerId, size) {
      const member = await place(learnerId);
      if (!member.up) throw new WorkspaceUnavailable(ENGINE_DOWN);
      member.placing++;
      let shell: ShellStream;
      try {
        shell = await member.sandbox.openShell(learnerId, size);
      } catch (error) {
        if (!unreachable(error)) throw error;
        markDown(member);
        throw new WorkspaceUnavailable(ENGINE_DOWN);
      } finally {
        member.placing--;
      }
      // Why a shell ended, when it was not the learner's doing: the engine, or the workspace under it.
      const explain = async () => {
        // A stopping engine ends its streams a moment before it stops answering or marks containers stopped.
        await new Promise((resolve) => setTimeout(resolve, EXPLAIN_AFTER_MS));
        await check(member);
        if (!member.up) return ENGINE_DOWN;
        return (await member.sandbox.workspaceRunning(learnerId)) ? undefined : WORKSPACE_STOPPED;
      };
      return trackShell(member, shell, explain);
    },
    learnerEngine(learnerId) {
      const member = pinnedMember(learnerId) ?? members[0]!;
      // A down engine (maybe unreachable, not refusing) must not make a check wait: answer at once.
      return member.up ? member.sandbox.learnerEngine(learnerId) : unreachableEngine;
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
};

/** The shell, registered with its engine until it exits, so a down engine can end it with a notice. */
function trackShell(member: Member, shell: ShellStream, explain: () => Promise<string | undefined>): ShellStream {
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
  // An exec stream that ends because its engine died reads as a plain exit: ask the engine first.
  shell.onExit((code) => void explain().then((notice) => exit(code, notice), () => exit(code, ENGINE_DOWN)));
  return { ...shell, onExit: (listener) => void listeners.push(listener) };
}
