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
  /** The instructor's latest comment on this cell, if any (a note; it changes no points). */
  comment?: { text: string; instructor: string; at: number };
}

export interface GradebookRow {
  learnerId: string;
  /** The roster's short id (L001): stable through renames and merges, in every export. */
  rosterId: string;
  displayName: string;
  lessons: Record<string, LessonCell>;
  total: number;
}

interface Progress { status: 'passed' | 'started'; points: number; maxPoints: number; attempts: number; lastActivity: number }
interface OverrideRecord { learnerId: string; lesson: string; points: number; reason: string; instructor: string; createdAt: number }
interface CommentRecord { learnerId: string; lesson: string; text: string; instructor: string; createdAt: number }

export function gradebook(
  /** Roster entries; `learnerIds` are the entry's own learner and those merged into it. */
  members: { learnerId: string; rosterId: string; displayName: string; learnerIds: readonly string[] }[],
  progressOf: (learnerIds: readonly string[]) => Record<string, Progress>,
  overrides: OverrideRecord[],
  lessons: { slug: string; maxPoints: number }[],
  comments: CommentRecord[] = [],
): GradebookRow[] {
  return members.map(({ learnerId, rosterId, displayName, learnerIds }) => {
    const progress = progressOf(learnerIds);
    const cells: Record<string, LessonCell> = {};
    for (const { slug, maxPoints } of lessons) {
      const auto = progress[slug];
      // Overrides are oldest first: the last one for this learner and lesson is the one in force.
      // A merged entry's overrides and comments count too, the latest of them all.
      const override = overrides.filter((o) => learnerIds.includes(o.learnerId) && o.lesson === slug).at(-1);
      const comment = comments.filter((c) => learnerIds.includes(c.learnerId) && c.lesson === slug).at(-1);
      cells[slug] = {
        status: override ? 'overridden' : auto?.status ?? 'not-started',
        points: override ? override.points : auto?.points ?? 0,
        autoPoints: auto?.points ?? 0,
        maxPoints,
        attempts: auto?.attempts ?? 0,
        lastActivity: auto?.lastActivity ?? null,
        ...(override ? { override: { points: override.points, reason: override.reason, instructor: override.instructor, at: override.createdAt } } : {}),
        ...(comment ? { comment: { text: comment.text, instructor: comment.instructor, at: comment.createdAt } } : {}),
      };
    }
    return { learnerId, rosterId, displayName, lessons: cells, total: Object.values(cells).reduce((sum, c) => sum + c.points, 0) };
  });
}

/** Characters that start a formula when a spreadsheet reads them first in a field. */
const FORMULA_START = /[=+\-@\t\r]/;
/**
 * Where a spreadsheet may start a new field inside a cell: after a comma, a semicolon (the list
 * separator of many locales), a tab or a line break (a paste, "text to columns", an import with
 * another delimiter), e.g. `Eve;=HYPERLINK("http://evil","click")` opened with `;` as the delimiter.
 */
const FIELD_SEPARATOR = /[,;\t\r\n]/;

/**
 * One CSV cell, safe to open in a spreadsheet (OWASP's "CSV injection" advice, applied to every
 * field a spreadsheet could split a cell into): in text, a ' goes before each formula character
 * that begins the cell or a field-like segment of it (spaces skipped, since an import may trim
 * them), and every cell is quoted, so a quote-aware reader keeps the cell whole and a
 * quote-unaware one still finds the ' first in each piece. Numbers are quoted but never prefixed.
 */
export function csvCell(value: string | number): string {
  let text = '';
  if (typeof value === 'number') text = String(value);
  else {
    let fieldStart = true;
    for (const char of value) {
      if (fieldStart && FORMULA_START.test(char)) text += "'";
      text += char;
      // Blanks and a quote may open a field before its text (a splitting spreadsheet drops the quote).
      fieldStart = FIELD_SEPARATOR.test(char) || (fieldStart && (char === ' ' || char === '"'));
    }
  }
  return `"${text.replace(/"/g, '""')}"`;
}

/** The one CSV writer of the server: rows of cells, comma-separated, CRLF line ends (RFC 4180). */
export function csvText(rows: (string | number)[][]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
