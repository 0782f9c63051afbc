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
  // Classrooms: instructors, their classes, who joined with which name, and manual grade overrides.
  `CREATE TABLE instructors (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE instructor_sessions (
     token_hash TEXT PRIMARY KEY,
     instructor_id INTEGER NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE classes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     instructor_id INTEGER NOT NULL REFERENCES instructors(id),
     title TEXT NOT NULL,
     code TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE class_members (
     class_id INTEGER NOT NULL REFERENCES classes(id),
     learner_id TEXT NOT NULL REFERENCES learners(id),
     display_name TEXT NOT NULL,
     resume_code_hash TEXT NOT NULL UNIQUE,
     joined_at INTEGER NOT NULL,
     PRIMARY KEY (class_id, learner_id)
   );
   CREATE TABLE overrides (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     class_id INTEGER NOT NULL REFERENCES classes(id),
     learner_id TEXT NOT NULL REFERENCES learners(id),
     lesson TEXT NOT NULL,
     points INTEGER NOT NULL CHECK (points >= 0),
     reason TEXT NOT NULL,
     instructor_id INTEGER NOT NULL REFERENCES instructors(id),
     created_at INTEGER NOT NULL
   );
   CREATE TRIGGER overrides_are_kept BEFORE UPDATE ON overrides BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;
   CREATE TRIGGER overrides_are_never_deleted BEFORE DELETE ON overrides BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;`,
  // Which engine of the pool holds each learner's workspace and home volume.
  `CREATE TABLE engine_pins (
     learner_id TEXT PRIMARY KEY REFERENCES learners(id),
     engine TEXT NOT NULL,
     pinned_at INTEGER NOT NULL
   );`,
  // Build provenance, recorded by the gateway: which learner's build made which image, from which
  // Dockerfile; and tags given to an image later. Grading reads these, never the learner's files.
  `CREATE TABLE builds (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL REFERENCES learners(id),
     engine TEXT NOT NULL,
     dockerfile_name TEXT NOT NULL,
     dockerfile TEXT NOT NULL,
     plan TEXT NOT NULL,
     tags TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     outcome TEXT NOT NULL CHECK (outcome IN ('running', 'built', 'failed', 'interrupted')),
     image_id TEXT,
     log TEXT NOT NULL
   );
   CREATE INDEX builds_by_image ON builds (learner_id, engine, image_id);
   CREATE TABLE build_images (
     build_id INTEGER NOT NULL REFERENCES builds(id),
     learner_id TEXT NOT NULL,
     engine TEXT NOT NULL,
     image_id TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('final', 'stage', 'step')),
     PRIMARY KEY (build_id, image_id)
   );
   CREATE INDEX build_images_by_learner ON build_images (learner_id, engine, image_id);
   CREATE TABLE image_tags (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL,
     engine TEXT NOT NULL,
     image_id TEXT NOT NULL,
     tag TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX image_tags_by_image ON image_tags (learner_id, engine, image_id);`,
  // What a learner was told with each result (expected, seen, hint, cause): the lesson page shows
  // the latest on arrival, the instructor sees it with the attempt.
  `ALTER TABLE attempts ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';`,
  // What each build step wrote in the system's folders, by the image it made, as the gateway read it
  // from the engine: grading credits a compile only when no step before it wrote there. Per engine,
  // not per learner: the build cache gives one learner's step image to another.
  // `policy`: the version of what counts as a write when it was read; a record of another is not read.
  `CREATE TABLE step_writes (
     engine TEXT NOT NULL,
     image_id TEXT NOT NULL,
     policy INTEGER NOT NULL,
     writes TEXT NOT NULL,
     PRIMARY KEY (engine, image_id, policy)
   );`,
  // Requests of a learner's Docker CLI the gateway answered (docker version, docker image ls), the
  // first time each: what the workspace lesson's checks read.
  `CREATE TABLE gateway_answers (
     learner_id TEXT NOT NULL,
     engine TEXT NOT NULL,
     request TEXT NOT NULL,
     first_at INTEGER NOT NULL,
     PRIMARY KEY (learner_id, engine, request)
   );`,
  // Each member's resume code sealed under the store's key file (see seal.ts), so the learner can be
  // shown it again; the hash above stays what a resume is looked up by. Null for earlier members.
  `ALTER TABLE class_members ADD COLUMN resume_code_sealed TEXT;`,
  // Instructors' comments on a gradebook cell (learner × lesson): notes that change no points.
  // Append-only like overrides; the latest per cell is shown.
  `CREATE TABLE comments (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     class_id INTEGER NOT NULL REFERENCES classes(id),
     learner_id TEXT NOT NULL REFERENCES learners(id),
     lesson TEXT NOT NULL,
     text TEXT NOT NULL,
     instructor_id INTEGER NOT NULL REFERENCES instructors(id),
     created_at INTEGER NOT NULL
   );
   CREATE TRIGGER comments_are_kept BEFORE UPDATE ON comments BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;
   CREATE TRIGGER comments_are_never_deleted BEFORE DELETE ON comments BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;`,
  // What a learner answered before a failure a lesson sets up (kept, never graded), and the figures
  // they typed in a lesson's blanks (a check compares the latest with their images). Append-only:
  // every answer stays beside their attempts.
  `CREATE TABLE predictions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL REFERENCES learners(id),
     lesson TEXT NOT NULL,
     question TEXT NOT NULL,
     choice TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE measurements (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL REFERENCES learners(id),
     lesson TEXT NOT NULL,
     check_id TEXT NOT NULL,
     typed TEXT NOT NULL,
     value REAL NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX predictions_by_learner ON predictions (learner_id, lesson);
   CREATE INDEX measurements_by_learner ON measurements (learner_id, lesson);`,
  // The roster (issue 17): a short number per member, stable for the class's life (shown as L001 in
  // the gradebook and exports; existing members numbered in join order); removed members (kept with
  // their attempts, restorable); a member merged into another entry of the same person; and a class
  // closed to joins, or archived (read-only). Display-name uniqueness is checked by the store, not an
  // index: classes from before may already hold two members of one name.
  `ALTER TABLE class_members ADD COLUMN roster_no INTEGER;
   UPDATE class_members SET roster_no = (SELECT COUNT(*) FROM class_members m WHERE m.class_id = class_members.class_id
     AND (m.joined_at < class_members.joined_at OR (m.joined_at = class_members.joined_at AND m.rowid <= class_members.rowid)));
   CREATE UNIQUE INDEX class_members_by_roster_no ON class_members (class_id, roster_no);
   ALTER TABLE class_members ADD COLUMN removed_at INTEGER;
   ALTER TABLE class_members ADD COLUMN merged_into TEXT REFERENCES learners(id);
   ALTER TABLE classes ADD COLUMN joining_closed_at INTEGER;
   ALTER TABLE classes ADD COLUMN archived_at INTEGER;`,
  // Who ran each check: the learner (their own check, live or Check now) or an instructor's regrade.
  // A regrade's results are grades like any other, but not the learner's attempts (issue 17).
  `ALTER TABLE attempts ADD COLUMN source TEXT NOT NULL DEFAULT 'learner' CHECK (source IN ('learner', 'regrade'));`,
];
