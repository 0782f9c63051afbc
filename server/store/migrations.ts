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
];
