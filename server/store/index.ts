// The store: learners and their browser sessions in SQLite (node:sqlite, built into Node 24).
import { DatabaseSync } from 'node:sqlite';
import { createHash, randomBytes } from 'node:crypto';
import { MIGRATIONS } from './migrations.ts';

export interface Store {
  /** The learner a session token belongs to, or undefined for an unknown token. */
  learnerForSession(token: string): string | undefined;
  /** Creates a learner with a new session; returns the token to put in the cookie. */
  createLearner(): { learnerId: string; token: string };
  close(): void;
}

// Tokens are stored hashed, so a copied database file does not hand out live sessions.
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function openStore(file: string): Store {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  migrate(db);
  const findSession = db.prepare('SELECT learner_id FROM sessions WHERE token_hash = ?');
  const touchSession = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?');
  const insertLearner = db.prepare('INSERT INTO learners (id, created_at) VALUES (?, ?)');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, learner_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)');
  return {
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
