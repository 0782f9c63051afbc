// The two CSV exports, for a spreadsheet or an LMS import. grades.csv keeps the UI contract's
// columns first (learner, one per lesson, total); what is added goes after them, or in the one extra
// row, the maximum points, which is told apart by its empty learner_id (a learner may call
// themselves anything). attempts.csv keeps its first columns too and marks each row's kind.
import { csvText, type GradebookRow } from './gradebook.ts';

/** What the max row's learner cell says (Canvas's word for it; its importers look for the row there). */
const MAX_ROW_LABEL = 'Points possible';

/**
 * grades.csv: a header, the maximum-points row, then one row per learner: learner, one column per
 * lesson (points), total; then learner_id (the roster id) and marks (each overridden cell as
 * `lesson: overridden`, separated by "; "). No deadlines exist yet, so no cell is marked late.
 */
export function gradesCsv(rows: GradebookRow[], lessons: { slug: string; maxPoints: number }[]): string {
  const slugs = lessons.map((l) => l.slug);
  return csvText([
    ['learner', ...slugs, 'total', 'learner_id', 'marks'],
    [MAX_ROW_LABEL, ...lessons.map((l) => l.maxPoints), lessons.reduce((sum, l) => sum + l.maxPoints, 0), '', ''],
    ...rows.map((row) => [
      row.displayName, ...slugs.map((s) => row.lessons[s]?.points ?? 0), row.total, row.rosterId,
      slugs.filter((s) => row.lessons[s]?.status === 'overridden').map((s) => `${s}: overridden`).join('; '),
    ]),
  ]);
}

/** One stored attempt, as attempts.csv lists it. */
export interface AttemptRow {
  lesson: string; checkId: string; status: string; points: number; maxPoints: number; evidence: string;
  /** JSON: what the learner was told (expected, seen, hint; cause for an error). */
  detail: string;
  /** Who ran it: the learner's own check, or an instructor's regrade. */
  source: 'learner' | 'regrade';
  createdAt: number;
}
/** One override, as attempts.csv lists it. */
export interface OverrideRow { lesson: string; points: number; maxPoints: number; reason: string; instructor: string; createdAt: number }

const ATTEMPT_COLUMNS = ['learner', 'lesson', 'check', 'status', 'points', 'max_points', 'at', 'evidence',
  'learner_id', 'kind', 'expected', 'seen', 'hint', 'cause', 'reason', 'instructor'] as const;

/**
 * attempts.csv: per learner, oldest first, every check result with its evidence and what the learner
 * was told, and every override; `kind` says which: check (the learner's own), regrade (an
 * instructor's re-run) or override (status "overridden", with its reason and instructor).
 */
export function attemptsCsv(learners: { displayName: string; rosterId: string; attempts: AttemptRow[]; overrides: OverrideRow[] }[]): string {
  const rows = learners.flatMap(({ displayName, rosterId, attempts, overrides }) => [
    ...attempts.map((a) => {
      const told = JSON.parse(a.detail) as { expected?: string; seen?: string; hint?: string; cause?: string };
      const kind = a.source === 'regrade' ? 'regrade' : 'check';
      return { at: a.createdAt, cells: [displayName, a.lesson, a.checkId, a.status, a.points, a.maxPoints, iso(a.createdAt), a.evidence,
        rosterId, kind, told.expected ?? '', told.seen ?? '', told.hint ?? '', told.cause ?? '', '', ''] };
    }),
    ...overrides.map((o) => ({ at: o.createdAt, cells: [displayName, o.lesson, '', 'overridden', o.points, o.maxPoints, iso(o.createdAt), '',
      rosterId, 'override', '', '', '', '', o.reason, o.instructor] })),
  ].sort((a, b) => a.at - b.at).map((r) => r.cells)); // stable: attempts of one moment keep their order
  return csvText([[...ATTEMPT_COLUMNS], ...rows]);
}

const iso = (ms: number) => new Date(ms).toISOString();
