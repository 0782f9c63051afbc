// A challenge's scores: the smallest image of each class member that passed the check, read from
// the evidence the check recorded (its size), never from anything the learner typed.
import type { DatabaseSync } from 'node:sqlite';

export interface ClassBest { classTitle: string; best: { name: string; size: number; mine: boolean }[] }

export interface ScoreQueries {
  /** For each class the learner is in: its entries' smallest passing sizes for the check, smallest first. */
  classBests(learnerId: string, lesson: string, checkId: string, top: number): ClassBest[];
}

export function scoreQueries(db: DatabaseSync): ScoreQueries {
  const classes = db.prepare(`SELECT c.id, c.title FROM class_members m JOIN classes c ON c.id = m.class_id
    WHERE m.learner_id = ? AND m.removed_at IS NULL AND m.merged_into IS NULL ORDER BY m.joined_at, c.id`);
  // An entry is a visible member with the learners merged into it; removed entries are not shown.
  const bests = db.prepare(`WITH entries AS (
      SELECT m.learner_id, COALESCE(m.merged_into, m.learner_id) AS entry FROM class_members m WHERE m.class_id = ?1 AND m.removed_at IS NULL)
    SELECT k.display_name AS name, e.entry, MIN(json_extract(a.evidence, '$.size')) AS size
    FROM entries e
    JOIN attempts a ON a.learner_id = e.learner_id AND a.lesson = ?2 AND a.check_id = ?3 AND a.status = 'pass'
    JOIN class_members k ON k.class_id = ?1 AND k.learner_id = e.entry AND k.removed_at IS NULL AND k.merged_into IS NULL
    WHERE json_extract(a.evidence, '$.size') IS NOT NULL
    GROUP BY e.entry ORDER BY size, name LIMIT ?4`);
  return {
    classBests(learnerId, lesson, checkId, top) {
      return (classes.all(learnerId) as { id: number; title: string }[]).map((c) => ({
        classTitle: c.title,
        best: (bests.all(c.id, lesson, checkId, top) as { name: string; entry: string; size: number }[])
          .map((r) => ({ name: r.name, size: r.size, mine: r.entry === learnerId })),
      }));
    },
  };
}
