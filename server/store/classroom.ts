// Classrooms in the store: instructors (scrypt password hashes), their sessions, classes with join
// codes, members' resume codes (hashed to look them up, sealed to show them to their learner again),
// and append-only grade overrides and comments. Who is in a class is roster.ts's.
import { randomBytes, randomInt, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Sealer } from './seal.ts';
import { hashToken } from './tokens.ts';

export interface ClassInfo {
  id: number; title: string; code: string; createdAt: number;
  /** Joining is closed: the join code is refused until it is reopened. */ joiningClosed: boolean;
  /** Archived: read-only, and left out of the default list of classes. */ archived: boolean;
}
/** A class the learner is in, as they see it: with their own resume code if it can be shown. */
export interface Membership { classTitle: string; displayName: string; joinedAt: number; resumeCode: string | null }
export interface Comment { learnerId: string; lesson: string; text: string; instructor: string; createdAt: number }
/** The latest comment on one of the learner's lessons, as that learner alone is shown it. */
export interface LearnerComment { lesson: string; text: string; instructor: string; createdAt: number }
export interface Override { learnerId: string; lesson: string; points: number; reason: string; instructor: string; createdAt: number }

// No 0/O, 1/I/L: codes are read aloud and typed from a projector.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const code = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
/** Join codes: 8 characters, 31^8 ≈ 8.5e11, and joining is rate-limited. */
export const newJoinCode = () => code(8);
/** Resume codes: 12 characters in three groups, shown at join and on the learner's own course page. */
export const newResumeCode = () => `${code(4)}-${code(4)}-${code(4)}`;

/** A resume code as typed (any case, with spaces, dashes or nothing between the groups), in the form it was given. */
export function canonicalResumeCode(typed: string): string {
  const bare = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return bare.length === 12 ? `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}` : typed.toUpperCase();
}

const CLASS_COLUMNS = 'id, title, code, created_at, joining_closed_at, archived_at';
interface ClassRow { id: number; title: string; code: string; created_at: number; joining_closed_at: number | null; archived_at: number | null }

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
/** How long an instructor's session lasts from sign-in (the cookie's Max-Age says the same). */
export const INSTRUCTOR_SESSION_MS = 12 * 60 * 60 * 1000;

/** scrypt on libuv's thread pool: a sign-in never stalls the event loop that relays keystrokes. */
const scryptAsync = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));

/** Hashing a new password is rare (start-up, the CLI): synchronous is fine there. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

// A fixed hash to check against when the name is unknown, so a wrong name takes as long as a wrong password.
const DECOY = hashPassword(randomBytes(16).toString('hex'));

export function classroomQueries(db: DatabaseSync, sealed: Sealer) {
  const q = {
    instructorByName: db.prepare('SELECT id, password_hash FROM instructors WHERE name = ?'),
    insertInstructor: db.prepare('INSERT INTO instructors (name, password_hash, created_at) VALUES (?, ?, ?)'),
    updateInstructor: db.prepare('UPDATE instructors SET password_hash = ? WHERE name = ?'),
    insertSession: db.prepare('INSERT INTO instructor_sessions (token_hash, instructor_id, created_at) VALUES (?, ?, ?)'),
    sessionInstructor: db.prepare('SELECT i.id, i.name FROM instructor_sessions s JOIN instructors i ON i.id = s.instructor_id WHERE s.token_hash = ? AND s.created_at > ?'),
    deleteSession: db.prepare('DELETE FROM instructor_sessions WHERE token_hash = ?'),
    deleteSessionsOf: db.prepare('DELETE FROM instructor_sessions WHERE instructor_id = ?'),
    deleteSessionsOfName: db.prepare('DELETE FROM instructor_sessions WHERE instructor_id = (SELECT id FROM instructors WHERE name = ?)'),
    deleteExpiredSessions: db.prepare('DELETE FROM instructor_sessions WHERE created_at <= ?'),
    insertClass: db.prepare('INSERT INTO classes (instructor_id, title, code, created_at) VALUES (?, ?, ?, ?)'),
    classesOf: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes WHERE instructor_id = ? AND (archived_at IS NOT NULL) = ? ORDER BY id`),
    classOf: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes WHERE id = ? AND instructor_id = ?`),
    classByCode: db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes WHERE code = ?`),
    membershipsOf: db.prepare(`SELECT c.title, m.display_name, m.joined_at, m.resume_code_sealed FROM class_members m
      JOIN classes c ON c.id = m.class_id WHERE m.learner_id = ? ORDER BY m.joined_at, c.id`),
    memberByResume: db.prepare('SELECT learner_id FROM class_members WHERE resume_code_hash = ?'),
    insertOverride: db.prepare('INSERT INTO overrides (class_id, learner_id, lesson, points, reason, instructor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertComment: db.prepare('INSERT INTO comments (class_id, learner_id, lesson, text, instructor_id, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    comments: db.prepare(`SELECT c.learner_id, c.lesson, c.text, i.name AS instructor, c.created_at FROM comments c
      JOIN instructors i ON i.id = c.instructor_id WHERE c.class_id = ? ORDER BY c.id`),
    // The latest per lesson, in any of the learner's classes (ids grow with time).
    learnerComments: db.prepare(`SELECT c.lesson, c.text, i.name AS instructor, c.created_at FROM comments c
      JOIN instructors i ON i.id = c.instructor_id WHERE c.id IN (SELECT MAX(id) FROM comments WHERE learner_id = ? GROUP BY lesson)`),
    overrides: db.prepare(`SELECT o.learner_id, o.lesson, o.points, o.reason, i.name AS instructor, o.created_at FROM overrides o
      JOIN instructors i ON i.id = o.instructor_id WHERE o.class_id = ? ORDER BY o.id`),
  };
  const toClass = (row: ClassRow): ClassInfo => ({
    id: row.id, title: row.title, code: row.code, createdAt: row.created_at, joiningClosed: row.joining_closed_at !== null, archived: row.archived_at !== null,
  });
  return {
    /** Creates the instructor, or sets a new password for an existing one (which ends their sessions). */
    ensureInstructor(name: string, password: string, now = Date.now()): void {
      if (q.instructorByName.get(name)) {
        q.updateInstructor.run(hashPassword(password), name);
        q.deleteSessionsOfName.run(name);
      } else q.insertInstructor.run(name, hashPassword(password), now);
    },
    /** A session token for a right name and password; undefined otherwise (same time either way). */
    async signIn(name: string, password: string, now = Date.now()): Promise<string | undefined> {
      const row = q.instructorByName.get(name) as { id: number; password_hash: string } | undefined;
      const ok = (await verifyPassword(password, row?.password_hash ?? DECOY)) && row !== undefined;
      if (!ok) return undefined;
      const token = randomBytes(32).toString('base64url');
      q.insertSession.run(hashToken(token), row.id, now);
      q.deleteExpiredSessions.run(now - INSTRUCTOR_SESSION_MS);
      return token;
    },
    signOut(token: string): void {
      q.deleteSession.run(hashToken(token));
    },
    /** Ends every session of the instructor, on every device. */
    signOutEverywhere(instructorId: number): void {
      q.deleteSessionsOf.run(instructorId);
    },
    /** The instructor of a session that has not expired. */
    instructorForSession(token: string, now = Date.now()): { id: number; name: string } | undefined {
      return q.sessionInstructor.get(hashToken(token), now - INSTRUCTOR_SESSION_MS) as { id: number; name: string } | undefined;
    },
    createClass(instructorId: number, title: string, now = Date.now()): ClassInfo {
      for (;;) {
        const joinCode = newJoinCode();
        if (q.classByCode.get(joinCode)) continue; // astronomically rare; try another
        const { lastInsertRowid } = q.insertClass.run(instructorId, title, joinCode, now);
        return { id: Number(lastInsertRowid), title, code: joinCode, createdAt: now, joiningClosed: false, archived: false };
      }
    },
    /** The instructor's classes: the current ones, or (archived) the archived ones. */
    classesOf: (instructorId: number, archived = false): ClassInfo[] => (q.classesOf.all(instructorId, archived ? 1 : 0) as unknown as ClassRow[]).map(toClass),
    /** The class, only if this instructor owns it. */
    classOf(classId: number, instructorId: number): ClassInfo | undefined {
      const row = q.classOf.get(classId, instructorId) as ClassRow | undefined;
      return row ? toClass(row) : undefined;
    },
    classByCode(joinCode: string): ClassInfo | undefined {
      const row = q.classByCode.get(joinCode.toUpperCase()) as ClassRow | undefined;
      return row ? toClass(row) : undefined;
    },
    /** The classes a learner is in, for that learner alone: each with their resume code, when it can be unsealed. */
    membershipsOf(learnerId: string): Membership[] {
      return (q.membershipsOf.all(learnerId) as { title: string; display_name: string; joined_at: number; resume_code_sealed: string | null }[])
        .map((r) => ({ classTitle: r.title, displayName: r.display_name, joinedAt: r.joined_at, resumeCode: r.resume_code_sealed === null ? null : sealed.open(r.resume_code_sealed) ?? null }));
    },
    learnerForResumeCode(resume: string): string | undefined {
      return (q.memberByResume.get(hashToken(canonicalResumeCode(resume))) as { learner_id: string } | undefined)?.learner_id;
    },
    addOverride(classId: number, learnerId: string, lesson: string, points: number, reason: string, instructorId: number, now = Date.now()): void {
      q.insertOverride.run(classId, learnerId, lesson, points, reason, instructorId, now);
    },
    addComment(classId: number, learnerId: string, lesson: string, text: string, instructorId: number, now = Date.now()): void {
      q.insertComment.run(classId, learnerId, lesson, text, instructorId, now);
    },
    /** Every comment of the class, oldest first (the latest per learner and lesson is shown). */
    comments(classId: number): Comment[] {
      return (q.comments.all(classId) as { learner_id: string; lesson: string; text: string; instructor: string; created_at: number }[])
        .map((r) => ({ learnerId: r.learner_id, lesson: r.lesson, text: r.text, instructor: r.instructor, createdAt: r.created_at }));
    },
    /** The latest comment on each of the learner's lessons: for that learner's own session only. */
    learnerComments(learnerId: string): LearnerComment[] {
      return (q.learnerComments.all(learnerId) as { lesson: string; text: string; instructor: string; created_at: number }[])
        .map((r) => ({ lesson: r.lesson, text: r.text, instructor: r.instructor, createdAt: r.created_at }));
    },
    /** Every override of the class, oldest first (the latest per learner and lesson wins). */
    overrides(classId: number): Override[] {
      return (q.overrides.all(classId) as { learner_id: string; lesson: string; points: number; reason: string; instructor: string; created_at: number }[])
        .map((r) => ({ learnerId: r.learner_id, lesson: r.lesson, points: r.points, reason: r.reason, instructor: r.instructor, createdAt: r.created_at }));
    },
  };
}

export type ClassroomQueries = ReturnType<typeof classroomQueries>;
