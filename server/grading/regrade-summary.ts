// What a regrade did, in learners rather than check results: who passed the lesson, who failed it
// (and which checks), and who could not be judged (and the recorded causes, never a message's words).
import type { CheckResult } from '../../src/schemas/checks.ts';

export interface RegradeSummary {
  passed: { learner: string; rosterId: string }[];
  failed: { learner: string; rosterId: string; checks: string[] }[];
  couldNotJudge: { learner: string; rosterId: string; causes: string[] }[];
}

type Verdict = { kind: 'passed' } | { kind: 'failed'; checks: string[] } | { kind: 'unjudged'; causes: string[] };

/** One learner's run: any error leaves the lesson unjudged; else any fail fails it. */
function verdict(results: CheckResult[]): Verdict {
  const errors = results.filter((r) => r.status === 'error');
  if (errors.length > 0) return { kind: 'unjudged', causes: [...new Set(errors.map((r) => r.cause ?? 'unknown'))] };
  const fails = results.filter((r) => r.status === 'fail');
  return fails.length > 0 ? { kind: 'failed', checks: fails.map((r) => r.id) } : { kind: 'passed' };
}

/**
 * Per roster entry: `runs` holds one run per learner of the entry (more than one for a merged entry,
 * which passed if any of its learners did, else could not be judged if any could not be).
 */
export function summarizeRegrade(entries: { learner: string; rosterId: string; runs: CheckResult[][] }[]): RegradeSummary {
  const summary: RegradeSummary = { passed: [], failed: [], couldNotJudge: [] };
  for (const { learner, rosterId, runs } of entries) {
    const verdicts = runs.map(verdict);
    const unjudged = verdicts.filter((v) => v.kind === 'unjudged');
    const failed = verdicts.filter((v) => v.kind === 'failed');
    if (verdicts.some((v) => v.kind === 'passed')) summary.passed.push({ learner, rosterId });
    else if (unjudged.length > 0) summary.couldNotJudge.push({ learner, rosterId, causes: [...new Set(unjudged.flatMap((v) => v.causes))] });
    else if (failed.length > 0) summary.failed.push({ learner, rosterId, checks: [...new Set(failed.flatMap((v) => v.checks))] });
  }
  return summary;
}
