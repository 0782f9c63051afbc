// What learners type into a lesson's page besides their terminal: predictions (a choice before a
// failure set up on purpose) and measurements (a figure in a blank). Appended, never changed; the
// latest of each counts.
import type { DatabaseSync } from 'node:sqlite';

/** A figure as the learner typed it, and the number the server read from it. */
export interface Measurement { typed: string; value: number; createdAt: number }

export interface LessonInputs {
  /** Question id → the id of the choice made last. */
  predictions: Record<string, { choice: string; createdAt: number }>;
  /** Check id → the figure typed last. */
  measurements: Record<string, Measurement>;
}

export interface InputQueries {
  recordPrediction(learnerId: string, lesson: string, question: string, choice: string, now?: number): void;
  recordMeasurement(learnerId: string, lesson: string, checkId: string, typed: string, value: number, now?: number): void;
  lessonInputs(learnerId: string, lesson: string): LessonInputs;
  /** How many predictions and measurements the learner has saved in the lesson, all kept. */
  inputsSaved(learnerId: string, lesson: string): number;
}

export function inputQueries(db: DatabaseSync): InputQueries {
  const insertPrediction = db.prepare('INSERT INTO predictions (learner_id, lesson, question, choice, created_at) VALUES (?, ?, ?, ?, ?)');
  const insertMeasurement = db.prepare('INSERT INTO measurements (learner_id, lesson, check_id, typed, value, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const latestPredictions = db.prepare(`SELECT question, choice, created_at FROM predictions WHERE id IN (
      SELECT MAX(id) FROM predictions WHERE learner_id = ? AND lesson = ? GROUP BY question)`);
  const latestMeasurements = db.prepare(`SELECT check_id, typed, value, created_at FROM measurements WHERE id IN (
      SELECT MAX(id) FROM measurements WHERE learner_id = ? AND lesson = ? GROUP BY check_id)`);
  const countSaved = db.prepare(`SELECT (SELECT COUNT(*) FROM predictions WHERE learner_id = ?1 AND lesson = ?2)
      + (SELECT COUNT(*) FROM measurements WHERE learner_id = ?1 AND lesson = ?2) AS n`);
  return {
    inputsSaved: (learnerId, lesson) => (countSaved.get(learnerId, lesson) as { n: number }).n,
    recordPrediction: (learnerId, lesson, question, choice, now = Date.now()) => void insertPrediction.run(learnerId, lesson, question, choice, now),
    recordMeasurement: (learnerId, lesson, checkId, typed, value, now = Date.now()) => void insertMeasurement.run(learnerId, lesson, checkId, typed, value, now),
    lessonInputs(learnerId, lesson) {
      const predictions = latestPredictions.all(learnerId, lesson) as { question: string; choice: string; created_at: number }[];
      const measurements = latestMeasurements.all(learnerId, lesson) as { check_id: string; typed: string; value: number; created_at: number }[];
      return {
        predictions: Object.fromEntries(predictions.map((r) => [r.question, { choice: r.choice, createdAt: r.created_at }])),
        measurements: Object.fromEntries(measurements.map((r) => [r.check_id, { typed: r.typed, value: r.value, createdAt: r.created_at }])),
      };
    },
  };
}
