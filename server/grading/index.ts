// Grading: runs a lesson's checks against one learner's work through the sandbox's port and says
// pass, fail or error for each. It knows nothing of sockets, engine names or storage.
import type { CheckResult } from '../../src/schemas/checks.ts';
import type { LessonLab } from './lessons.ts';
import { CannotJudge, type LearnerEngine } from './port.ts';
import { RUNNERS, type Typed, type Verdict } from './runners.ts';

export type { Typed } from './runners.ts';
import { diagnose } from './diagnose.ts';

export { loadLessons, validateLesson, LessonError, type LessonLab } from './lessons.ts';
export { gradebook, csvText, type GradebookRow, type LessonCell } from './gradebook.ts';
export { attemptsCsv, gradesCsv } from './exports.ts';
export { summarizeRegrade, type RegradeSummary } from './regrade-summary.ts';
export { folderFacts } from './provenance.ts';
export { copyTarget, copyWrites, systemWrites, WRITES_KEPT, WRITES_POLICY, type Change } from './toolchain.ts';
export { CannotJudge, PROGRAM_BYTES_LIMIT, programDigest, type FolderFacts, type ImageConfig, type LearnerEngine, type LearnerImage, type ProgramFile, type Provenance, type RunOutcome } from './port.ts';

/**
 * Runs every check of `lab`. `failuresSoFar` counts the learner's earlier failed attempts per check:
 * each further failure gets the next, more specific hint. `typed`: the figures the learner typed in
 * the lesson's blanks (learner.measured checks compare them with their images).
 */
export async function grade(lab: LessonLab, engine: LearnerEngine, failuresSoFar: Record<string, number> = {}, typed: Typed = {}): Promise<CheckResult[]> {
  // A check runs once the checks it needs are judged (they come before it); all others at once.
  const judged = new Map<string, Promise<CheckResult>>();
  for (const check of lab.checks) {
    const needed = (check.needs ?? []).map((id) => judged.get(id)!);
    judged.set(check.id, Promise.all(needed).then((results) => {
      const waiting = results.find((r) => r.status !== 'pass');
      if (!waiting) return judge(lab.slug, check, engine, failuresSoFar, typed);
      // What could not be judged makes its dependents unjudged too: an error never counts against anyone.
      if (waiting.status === 'error') return { id: check.id, title: check.title, maxPoints: check.points, status: 'error', points: 0, cause: waiting.cause, evidence: { waitsFor: waiting.id } };
      return { id: check.id, title: check.title, maxPoints: check.points, status: 'fail', points: 0, expected: check.title,
        seen: `not judged until "${waiting.title}" passes`, hint: `First: ${waiting.title}.`,
        evidence: { waitsFor: waiting.id, ...(waiting.evidence.missingImage !== undefined ? { missingImage: waiting.evidence.missingImage } : {}) } };
    }));
  }
  return Promise.all(lab.checks.map((check) => judged.get(check.id)!));
}

/**
 * A grading run's results (the learner's, live, or an instructor's regrade), given what each check
 * said before: a check that passed and now finds no image (reaped, or removed by the learner once
 * done) is an `error` (cause image_gone), never a fail, so the stored pass stays in force. An image
 * under that name again is judged as it is: passes of two images never mix. The cause is the runner's recorded `missingImage`, never the message's words.
 */
export function settleRegrade(results: CheckResult[], before: Record<string, CheckResult['status']>): CheckResult[] {
  // A rebuild that failed is news the learner needs: then the fail stands.
  return results.map((r): CheckResult => (r.status === 'fail' && before[r.id] === 'pass' && r.evidence.missingImage !== undefined && r.evidence.lastBuildFailed === undefined
    ? { id: r.id, title: r.title, status: 'error', points: 0, maxPoints: r.maxPoints, cause: 'image_gone', evidence: r.evidence }
    : r));
}

/**
 * Results as the learner may see them: a figure check's evidence holds the real value it compared
 * with (kept in the store, for the instructor), which would hand the learner the answer.
 */
export function forLearner(lab: LessonLab, results: CheckResult[]): CheckResult[] {
  const measured = new Set(lab.checks.filter((c) => c.kind === 'learner.measured').map((c) => c.id));
  return results.map((r) => (measured.has(r.id)
    ? { ...r, evidence: Object.fromEntries(Object.entries(r.evidence).filter(([key]) => MEASURED_SHOWN.has(key))) }
    : r));
}

/** What a figure check's evidence may show the learner: what they typed, and which images were read. */
const MEASURED_SHOWN = new Set(['typed', 'value', 'tolerance', 'imageId', 'thanId', 'missingImage', 'lastBuildFailed', 'waitsFor', 'message']);

/** One check's verdict. */
async function judge(slug: string, check: LessonLab['checks'][number], engine: LearnerEngine, failuresSoFar: Record<string, number>, typed: Typed): Promise<CheckResult> {
  const base = { id: check.id, title: check.title, maxPoints: check.points };
  let verdict: Verdict;
  // An engine that hangs instead of refusing must not hold the learner's check (and their next one) forever.
  const limit = ('timeoutSeconds' in check ? check.timeoutSeconds * 1000 : 0) + CHECK_GRACE_MS;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CannotJudge('engine_unavailable', 'The Docker engine did not answer in time.')), limit);
  });
  try {
    verdict = await Promise.race([(RUNNERS[check.kind] as (c: typeof check, e: LearnerEngine, t: Typed) => Promise<Verdict>)(check, engine, typed), hung]);
  } catch (error) {
    const cause = error instanceof CannotJudge ? error.cause : engineDown(error) ? 'engine_unavailable' : 'internal';
    if (!(error instanceof CannotJudge)) console.error(`grading: ${slug}/${check.id} could not be judged (${cause}):`, error);
    // Our own words only: the engine's messages name host paths (its data root) the learner must not see.
    const message = error instanceof CannotJudge ? error.message : cause === 'engine_unavailable' ? 'The Docker engine could not do what the check needs.' : 'An internal error; the server log has the details.';
    return { ...base, status: 'error', points: 0, cause, evidence: { message } };
  } finally {
    clearTimeout(timer);
  }
  if (verdict.status === 'pass') return { ...base, status: 'pass', points: check.points, evidence: verdict.evidence };
  // What actually went wrong beats a generic hint: first a failed build behind a missing image, then
  // what the runner read of the image itself, then familiar words in the run's output.
  const missingImage = verdict.evidence.missingImage !== undefined;
  const lastBuild = missingImage ? await engine.lastBuild().catch(() => undefined) : undefined;
  const fromBuild = missingImage ? diagnose(lastBuild?.log ?? engine.lastBuildOutput(), undefined, lastBuild?.dockerfile) : undefined;
  const fromRun = typeof verdict.evidence.output === 'string' ? diagnose(undefined, verdict.evidence.output) : undefined;
  const hint = fromBuild ?? verdict.hint ?? fromRun ?? check.hints[Math.min(failuresSoFar[check.id] ?? 0, check.hints.length - 1)];
  return { ...base, status: 'fail', points: 0, expected: verdict.expected, seen: verdict.seen, hint, evidence: verdict.evidence };
}

/** Besides a check's own run time limit: how long its engine calls may take before it is an `error`. */
const CHECK_GRACE_MS = 60_000;

/** The engine did not answer, or answered with its own failure: nobody can judge now. */
function engineDown(error: unknown): boolean {
  const { code, statusCode } = error as { code?: string; statusCode?: number };
  return ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code ?? '') || (statusCode ?? 0) >= 500;
}
