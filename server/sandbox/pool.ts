// A pool of Docker engines behind one Sandbox. Each learner is pinned to one engine (their home
// volume lives there); a new learner goes to the answering engine with the fewest running
// workspaces. An engine that refuses connections, or has been too slow to answer for a whole
// window, is marked down: opening a shell there answers at once with a message instead of hanging.
// Slow is not down: a build storm on two cores can keep an engine from answering for seconds, and
// a shell that still works is never closed for it.
import { createEngineSandbox, type EngineSandbox } from './engine-sandbox.ts';
import type { EngineEndpoint } from './endpoint.ts';
import type { ShellStream } from './shell.ts';
import { within } from './within.ts';
import { afterProbe, markedDown, type Health, type HealthEvent } from './engine-health.ts';
import type { EngineState, EngineVersion, Sandbox, SandboxOptions } from './types.ts';
import { CannotJudge, type LearnerEngine } from '../grading/index.ts';

const HEALTH_EVERY_MS = 5_000;
const HEALTH_TIMEOUT_MS = 3_000;
/** How long an engine may be too slow to answer before it is marked down (STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS). */
export const DOWN_AFTER_MS = 60_000;
/** Longest a workspace may take to open (created, started, shell connected) before the learner is told. */
const OPEN_TIMEOUT_MS = 30_000;
export const OPEN_TOO_SLOW = 'Your workspace is taking too long to start; the Docker engine may be overloaded. Retrying.';

/** What a learner reads when their engine is down (a websocket close reason: at most 123 bytes). */
export const ENGINE_DOWN = 'The Docker engine that holds your workspace is not answering. Your files are kept; retrying.';
export const NO_ENGINE = 'No Docker engine is answering right now, so no workspace can start. Retrying.';

/** A failure the learner should read as it is. */
export class WorkspaceUnavailable extends Error {}

interface Member extends Health {
  number: number;
  endpoint: EngineEndpoint;
  sandbox: EngineSandbox;
  version: EngineVersion | undefined;
  /** Learners being placed here right now: not yet counted by the engine as running workspaces. */
  placing: number;
}

/** Errors that mean the engine itself is unreachable, not that a request was refused. */
const unreachable = (error: unknown) =>
  ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes((error as { code?: string }).code ?? '');

export function createEnginePool(options: SandboxOptions): Sandbox {
  const members: Member[] = options.engines.map((endpoint, i) => {
    const member: Member = { number: i + 1, endpoint, up: undefined, slowSince: undefined, version: undefined, placing: 0, sandbox: undefined! };
    member.sandbox = createEngineSandbox({ ...options, engine: endpoint, up: () => member.up === true });
    return member;
  });
  const log = (event: string, member: Member) => console.info(JSON.stringify({ event, engine: member.number, endpoint: member.endpoint.url }));

  const downAfterMs = options.engineDownAfterMs ?? DOWN_AFTER_MS;
  const apply = (member: Member, next: { health: Health; events: HealthEvent[] }) => {
    Object.assign(member, next.health);
    for (const event of next.events) log(event, member);
  };
  const markDown = (member: Member) => apply(member, markedDown(member));
  const check = async (member: Member) => {
    const answer = await within(member.sandbox.probe(), HEALTH_TIMEOUT_MS).catch((error: unknown) => (unreachable(error) ? 'refused' as const : undefined));
    if (answer && answer !== 'refused') member.version = answer;
    apply(member, afterProbe(member, answer === 'refused' ? 'refused' : answer ? 'answered' : 'slow', Date.now(), downAfterMs));
  };
  const checkAll = () => Promise.all(members.map(check));
  // The first check decides which engines get the start-up sweep (it reclaims what a crash left).
  const ready = checkAll().then(() => {
    for (const member of members) if (member.up) void member.sandbox.reclaim().catch((error: unknown) => console.error('sandbox: sweep failed:', error));
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
    // A slow engine still takes learners (the open has its own deadline); a down one does not.
    const candidates = members.filter((m) => m.up !== false);
    // An engine that does not say how loaded it is in time is not a place for a new learner.
    const loads = await Promise.all(candidates.map(async (m) => ((await within(m.sandbox.runningWorkspaces().catch(() => Infinity), HEALTH_TIMEOUT_MS)) ?? Infinity) + m.placing));
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
      const statuses = await Promise.all(answering.map((m) => within(m.sandbox.imageStatus(), HEALTH_TIMEOUT_MS)));
      const everywhere = (role: 'toolchain' | 'runtime' | 'workspace') => statuses.length > 0 && statuses.every((s) => s?.[role] === true);
      return { toolchain: everywhere('toolchain'), runtime: everywhere('runtime'), workspace: everywhere('workspace') };
    },
    engines(): EngineState[] {
      const counts = options.pins.counts();
      return members.map((m) => ({ engine: m.number, up: m.up === true, version: m.version?.version ?? null, learners: counts[m.endpoint.url] ?? 0 }));
    },
    async openShell(learnerId, size) {
      const member = await place(learnerId);
      if (member.up === false) throw new WorkspaceUnavailable(ENGINE_DOWN);
      member.placing++;
      let shell: ShellStream;
      const opening = member.sandbox.openShell(learnerId, size);
      try {
        const opened = await within(opening, OPEN_TIMEOUT_MS);
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
      return tellWhenDown(member, shell);
    },
    async prepareWorkspace(learnerId) {
      const member = await place(learnerId).catch(() => undefined);
      if (!member || member.up === false) return;
      const preparing = member.sandbox.prepareWorkspace(learnerId).catch(() => undefined);
      await within(preparing, OPEN_TIMEOUT_MS);
    },
    async startLesson(learnerId, slug, reset) {
      const member = await place(learnerId);
      if (member.up === false) throw new WorkspaceUnavailable(ENGINE_DOWN);
      return member.sandbox.startLesson(learnerId, slug, reset);
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
  config: unavailable, programFile: unavailable, provenance: unavailable, imageNames: unavailable, lastBuild: unavailable, history: unavailable,
  stepWrites: unavailable, labImage: unavailable, answered: unavailable,
};

/** The shell, whose end says the engine is down when it is (a shell ends by itself when its stream
 * does; the pool never cuts one that still works). */
function tellWhenDown(member: Member, shell: ShellStream): ShellStream {
  return { ...shell, onExit: (listener) => shell.onExit((code, ended) => listener(code, member.up === false ? { cause: 'engine_down', message: ENGINE_DOWN } : ended)) };
}
