// Schema migrations, applied in order once each; the index + 1 is SQLite's user_version after it.
// Never edit a shipped migration: append a new one.
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE learners (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_by_learner ON sessions(learner_id);`,
  // Every check result a learner ever got, with its evidence. Append-only: grades are derived from it.
  `CREATE TABLE attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL REFERENCES learners(id),
     lesson TEXT NOT NULL,
     check_id TEXT NOT NULL,
     spec_hash TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
     points INTEGER NOT NULL,
     max_points INTEGER NOT NULL,
     evidence TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX attempts_by_learner ON attempts(learner_id, lesson, check_id);
   CREATE TRIGGER attempts_are_kept BEFORE UPDATE ON attempts BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
   CREATE TRIGGER attempts_are_never_deleted BEFORE DELETE ON attempts BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;`,
];
