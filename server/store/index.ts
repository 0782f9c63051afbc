// The store: learners and their browser sessions in SQLite (node:sqlite, built into Node 24).
import { DatabaseSync } from 'node:sqlite';
import { randomBytes } from 'node:crypto';
import { hashToken } from './tokens.ts';
import { buildQueries, type BuildQueries } from './builds.ts';
import { classroomQueries, type ClassroomQueries } from './classroom.ts';
import { inputQueries, type InputQueries } from './inputs.ts';
import { scoreQueries, type ScoreQueries } from './scores.ts';
import { rosterQueries, type RosterQueries } from './roster.ts';
import { MIGRATIONS } from './migrations.ts';
import { readOrCreateKey, sealer } from './seal.ts';

/** One check result to keep, as grading produced it. */
export interface AttemptRecord {
  checkId: string;
  specHash: string;
  status: 'pass' | 'fail' | 'error';
  points: number;
  maxPoints: number;
  evidence: Record<string, string | number>;
  /** What the learner was told: expected, seen, hint (a fail), cause (an error). */
  detail?: { expected?: string; seen?: string; hint?: string; cause?: string };
}

/** Who ran a check: the learner themselves, or an instructor's regrade. */
export type AttemptSource = 'learner' | 'regrade';

/** The latest result of one check, as stored. */
export interface StoredResult extends Omit<AttemptRecord, 'specHash'> { createdAt: number }

/** An instructor's latest override of one lesson for a learner, in any of their classes. */
export interface LearnerOverride { lesson: string; points: number; reason: string; createdAt: number }

/** A lesson's state for one learner, from the latest attempt of each of its checks. */
export interface LessonProgress {
  /** passed: every check's latest attempt passed; started: some attempt was made. */
  status: 'passed' | 'started';
  points: number;
  maxPoints: number;
  attempts: number;
  lastActivity: number;
}

export type { ClassInfo, Comment, LearnerComment, Membership, Override } from './classroom.ts';
export type { Member, RemovedMember, RosterRefusal, RosterResult } from './roster.ts';
export { INSTRUCTOR_SESSION_MS } from './classroom.ts';
export type { LessonInputs, Measurement } from './inputs.ts';
export type { ClassBest } from './scores.ts';
export type { BuildFinish, BuildImage, BuildRow, BuildStart, StepWritesRecord } from './builds.ts';

export interface Store extends ClassroomQueries, RosterQueries, BuildQueries, InputQueries, ScoreQueries {
  /** Appends one attempt per check result, run by the learner or (source regrade) by an instructor's regrade. */
  recordAttempts(learnerId: string, lesson: string, records: AttemptRecord[], now?: number, source?: AttemptSource): void;
  /** Failed attempts so far per check of a lesson (hints get more specific with each). */
  failuresSoFar(learnerId: string, lesson: string): Record<string, number>;
  /** The latest pass or fail of each check of a lesson (errors skipped). */
  judgedStatuses(learnerId: string, lesson: string): Record<string, 'pass' | 'fail'>;
  /** The latest result of each check of a lesson: the latest judged one, else the latest error. */
  latestResults(learnerId: string, lesson: string): StoredResult[];
  /** The latest override of each lesson for the learner (what their gradebook cell shows). */
  learnerOverrides(learnerId: string): LearnerOverride[];
  /** Every attempt of a learner (or of the learners of one merged roster entry), oldest first (for the detailed export). */
  attemptsOf(learnerIds: string | readonly string[]): { learnerId: string; lesson: string; checkId: string; status: string; points: number; maxPoints: number; evidence: string; detail: string; source: AttemptSource; createdAt: number }[];
  /** Per lesson, for a learner (or the learners of one merged roster entry) who has made attempts; `checks` counts each lesson's checks. */
  progress(learnerIds: string | readonly string[], checks: Record<string, number>): Record<string, LessonProgress>;
  /** The learner a session token belongs to, or undefined for an unknown token. */
  learnerForSession(token: string): string | undefined;
  /** A new session for an existing learner (a resume code was given); returns its token. */
  sessionFor(learnerId: string): string;
  /** The engine URL the learner's workspace lives on, if any yet. */
  enginePinned(learnerId: string): string | undefined;
  /** Pins the learner to an engine (again, when their engine left the pool). */
  pinEngine(learnerId: string, engineUrl: string, now?: number): void;
  /** Learners pinned to each engine URL. */
  enginePinCounts(): Record<string, number>;
  /** Creates a learner with a new session; returns the token to put in the cookie. */
  createLearner(): { learnerId: string; token: string };
  close(): void;
}


/** The store in `file`, with its key for sealed secrets in `file`.key (made on first use). */
export function openStore(file: string): Store {
  const db = new DatabaseSync(file);
  const key = file === ':memory:' ? randomBytes(32) : readOrCreateKey(`${file}.key`);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  migrate(db);
  const sealed = sealer(key);
  const findSession = db.prepare('SELECT learner_id FROM sessions WHERE token_hash = ?');
  const touchSession = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?');
  const insertLearner = db.prepare('INSERT INTO learners (id, created_at) VALUES (?, ?)');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, learner_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)');
  const insertAttempt = db.prepare(`INSERT INTO attempts (learner_id, lesson, check_id, spec_hash, status, points, max_points, evidence, created_at, detail, source)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const latestOfLesson = db.prepare(`SELECT check_id, status, points, max_points, evidence, detail, created_at FROM attempts WHERE id IN (
      SELECT COALESCE(MAX(CASE WHEN status != 'error' THEN id END), MAX(id)) FROM attempts WHERE learner_id = ? AND lesson = ? GROUP BY check_id)`);
  const overridesOfLearner = db.prepare(`SELECT lesson, points, reason, created_at FROM overrides WHERE id IN (
      SELECT MAX(id) FROM overrides WHERE learner_id = ? GROUP BY lesson)`);
  // Learners are passed as one JSON array: a merged roster entry is graded on all its learners' attempts.
  const allAttempts = db.prepare('SELECT learner_id, lesson, check_id, status, points, max_points, evidence, detail, source, created_at FROM attempts WHERE learner_id IN (SELECT value FROM json_each(?)) ORDER BY id');
  // The learner's own failures: a regrade's do not move them on to the next hint.
  const countFailures = db.prepare(`SELECT check_id, COUNT(*) AS failures FROM attempts
    WHERE learner_id = ? AND lesson = ? AND status = 'fail' AND source = 'learner' GROUP BY check_id`);
  // The latest attempt of each check (ids grow with time), per lesson.
  const latest = db.prepare(`SELECT a.lesson, a.status, a.points, a.max_points, a.created_at,
      -- Tries are the learner's own checks: a regrade's results count as grades, not as their attempts.
      (SELECT COUNT(*) FROM attempts b WHERE b.learner_id = a.learner_id AND b.lesson = a.lesson AND b.check_id = a.check_id AND b.source = 'learner') AS tries
    FROM attempts a
    WHERE a.learner_id = ?1 AND a.id IN (
      -- An error never counts against the learner: it does not replace an earlier judged result.
      SELECT COALESCE(MAX(CASE WHEN status != 'error' THEN id END), MAX(id)) FROM attempts WHERE learner_id = ?1 GROUP BY lesson, check_id)`);
  const judged = db.prepare(`SELECT check_id, status FROM attempts WHERE id IN (
      SELECT MAX(id) FROM attempts WHERE learner_id = ? AND lesson = ? AND status != 'error' GROUP BY check_id)`);
  /** One learner's progress per lesson, from the latest attempt of each check. */
  const progressOf = (learnerId: string, checks: Record<string, number>): Record<string, LessonProgress> => {
    const rows = latest.all(learnerId) as { lesson: string; status: string; points: number; max_points: number; created_at: number; tries: number }[];
    const out: Record<string, LessonProgress> = {};
    for (const row of rows) {
      const entry = out[row.lesson] ??= { status: 'started', points: 0, maxPoints: 0, attempts: 0, lastActivity: 0 };
      entry.points += row.points;
      entry.maxPoints += row.max_points;
      entry.attempts = Math.max(entry.attempts, row.tries);
      entry.lastActivity = Math.max(entry.lastActivity, row.created_at);
    }
    for (const [lesson, entry] of Object.entries(out)) {
      const passed = rows.filter((r) => r.lesson === lesson && r.status === 'pass').length;
      if (passed === checks[lesson] && passed > 0) entry.status = 'passed';
    }
    return out;
  };
  const findPin = db.prepare('SELECT engine FROM engine_pins WHERE learner_id = ?');
  const upsertPin = db.prepare(`INSERT INTO engine_pins (learner_id, engine, pinned_at) VALUES (?, ?, ?)
    ON CONFLICT (learner_id) DO UPDATE SET engine = excluded.engine, pinned_at = excluded.pinned_at`);
  const pinCounts = db.prepare('SELECT engine, COUNT(*) AS learners FROM engine_pins GROUP BY engine');
  return {
    ...classroomQueries(db, sealed),
    ...rosterQueries(db, sealed),
    ...buildQueries(db),
    ...inputQueries(db),
    ...scoreQueries(db),
    enginePinned: (learnerId) => (findPin.get(learnerId) as { engine: string } | undefined)?.engine,
    pinEngine: (learnerId, engineUrl, now = Date.now()) => void upsertPin.run(learnerId, engineUrl, now),
    enginePinCounts: () => Object.fromEntries((pinCounts.all() as { engine: string; learners: number }[]).map((r) => [r.engine, r.learners])),
    recordAttempts(learnerId, lesson, records, now = Date.now(), source = 'learner') {
      db.exec('BEGIN');
      try {
        for (const r of records) insertAttempt.run(learnerId, lesson, r.checkId, r.specHash, r.status, r.points, r.maxPoints, JSON.stringify(r.evidence), now, JSON.stringify(r.detail ?? {}), source);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    latestResults(learnerId, lesson) {
      return (latestOfLesson.all(learnerId, lesson) as { check_id: string; status: AttemptRecord['status']; points: number; max_points: number; evidence: string; detail: string; created_at: number }[])
        .map((r) => ({ checkId: r.check_id, status: r.status, points: r.points, maxPoints: r.max_points, evidence: JSON.parse(r.evidence), detail: JSON.parse(r.detail), createdAt: r.created_at }));
    },
    learnerOverrides(learnerId) {
      return (overridesOfLearner.all(learnerId) as { lesson: string; points: number; reason: string; created_at: number }[])
        .map((r) => ({ lesson: r.lesson, points: r.points, reason: r.reason, createdAt: r.created_at }));
    },
    judgedStatuses(learnerId, lesson) {
      return Object.fromEntries((judged.all(learnerId, lesson) as { check_id: string; status: 'pass' | 'fail' }[]).map((r) => [r.check_id, r.status]));
    },
    attemptsOf(learnerIds) {
      return (allAttempts.all(JSON.stringify(typeof learnerIds === 'string' ? [learnerIds] : learnerIds)) as { learner_id: string; lesson: string; check_id: string; status: string; points: number; max_points: number; evidence: string; detail: string; source: AttemptSource; created_at: number }[])
        .map((r) => ({ learnerId: r.learner_id, lesson: r.lesson, checkId: r.check_id, status: r.status, points: r.points, maxPoints: r.max_points, evidence: r.evidence, detail: r.detail, source: r.source, createdAt: r.created_at }));
    },
    failuresSoFar(learnerId, lesson) {
      const rows = countFailures.all(learnerId, lesson) as { check_id: string; failures: number }[];
      return Object.fromEntries(rows.map((row) => [row.check_id, row.failures]));
    },
    progress(learnerIds, checks) {
      const each = (typeof learnerIds === 'string' ? [learnerIds] : learnerIds).map((id) => progressOf(id, checks));
      // A merged entry is one person on two devices: per lesson, the better of their results counts
      // (a later miss on the other device does not undo a pass), and their attempts add up.
      const out: Record<string, LessonProgress> = {};
      for (const [lesson, entry] of each.flatMap((p) => Object.entries(p))) {
        const best = out[lesson];
        if (!best) out[lesson] = entry;
        else {
          const better = entry.points > best.points || (entry.points === best.points && entry.status === 'passed' && best.status !== 'passed');
          out[lesson] = { ...(better ? entry : best), attempts: best.attempts + entry.attempts, lastActivity: Math.max(best.lastActivity, entry.lastActivity) };
        }
      }
      return out;
    },
    sessionFor(learnerId) {
      const token = randomBytes(32).toString('base64url');
      const now = Date.now();
      insertSession.run(hashToken(token), learnerId, now, now);
      return token;
    },
    learnerForSession(token) {
      const hash = hashToken(token);
      const row = findSession.get(hash) as { learner_id: string } | undefined;
      if (row) touchSession.run(Date.now(), hash);
      return row?.learner_id;
    },
    createLearner() {
      // 10 random bytes in base32-ish hex: short enough for container names, too many to guess.
      const learnerId = randomBytes(10).toString('hex');
      const token = randomBytes(32).toString('base64url');
      const now = Date.now();
      db.exec('BEGIN');
      try {
        insertLearner.run(learnerId, now);
        insertSession.run(hashToken(token), learnerId, now, now);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
      return { learnerId, token };
    },
    close: () => db.close(),
  };
}

function migrate(db: DatabaseSync): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.exec('BEGIN');
    db.exec(MIGRATIONS[version]!);
    db.exec(`PRAGMA user_version = ${version + 1}`);
    db.exec('COMMIT');
  }
}
