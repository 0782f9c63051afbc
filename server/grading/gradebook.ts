// The gradebook: one row per learner, one cell per lesson, from the learner's stored attempts and
// the instructor's overrides. Like nbgrader, both inputs are kept and the score is derived: an
// override wins, the automatic result stays beside it.

export interface LessonCell {
  /** not-started, started, passed (all checks' latest attempts pass), or overridden. */
  status: 'not-started' | 'started' | 'passed' | 'overridden';
  /** What counts: the override's points if there is one, else the automatic points. */
  points: number;
  autoPoints: number;
  maxPoints: number;
  attempts: number;
  lastActivity: number | null;
  override?: { points: number; reason: string; instructor: string; at: number };
}

export interface GradebookRow {
  learnerId: string;
  displayName: string;
  lessons: Record<string, LessonCell>;
  total: number;
}

interface Progress { status: 'passed' | 'started'; points: number; maxPoints: number; attempts: number; lastActivity: number }
interface OverrideRecord { learnerId: string; lesson: string; points: number; reason: string; instructor: string; createdAt: number }

export function gradebook(
  members: { learnerId: string; displayName: string }[],
  progressOf: (learnerId: string) => Record<string, Progress>,
  overrides: OverrideRecord[],
  lessons: { slug: string; maxPoints: number }[],
): GradebookRow[] {
  return members.map(({ learnerId, displayName }) => {
    const progress = progressOf(learnerId);
    const cells: Record<string, LessonCell> = {};
    for (const { slug, maxPoints } of lessons) {
      const auto = progress[slug];
      // Overrides are oldest first: the last one for this learner and lesson is the one in force.
      const override = overrides.filter((o) => o.learnerId === learnerId && o.lesson === slug).at(-1);
      cells[slug] = {
        status: override ? 'overridden' : auto?.status ?? 'not-started',
        points: override ? override.points : auto?.points ?? 0,
        autoPoints: auto?.points ?? 0,
        maxPoints,
        attempts: auto?.attempts ?? 0,
        lastActivity: auto?.lastActivity ?? null,
        ...(override ? { override: { points: override.points, reason: override.reason, instructor: override.instructor, at: override.createdAt } } : {}),
      };
    }
    return { learnerId, displayName, lessons: cells, total: Object.values(cells).reduce((sum, c) => sum + c.points, 0) };
  });
}

/** A CSV cell that a spreadsheet will not run: formulas (=, +, -, @, tab, CR) get a leading quote. */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** grades.csv: learner, one column per lesson (points), total. */
export function gradesCsv(rows: GradebookRow[], slugs: string[]): string {
  const lines = [['learner', ...slugs, 'total'].map(csvCell).join(',')];
  for (const row of rows) lines.push([row.displayName, ...slugs.map((s) => row.lessons[s]?.points ?? 0), row.total].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
