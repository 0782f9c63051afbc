// What the gateway recorded of each learner's builds: the provenance grading reads, and the images
// a learner owns because their build made them (a multi-stage build leaves its earlier stages as
// untagged images with no label; without a record they would belong to nobody).
import type { DatabaseSync } from 'node:sqlite';

/** A build as the gateway began it. */
export interface BuildStart {
  learnerId: string;
  /** The engine's URL: image ids are per engine. */
  engine: string;
  /** The Dockerfile's name in the build context, as the learner's CLI sent it. */
  dockerfileName: string;
  /** The canonical Dockerfile the engine read. */
  dockerfile: string;
  /** What the gateway understood of it (stages, copies), as JSON-ready data. */
  plan: unknown;
  /** The tags the learner asked for, in the learner's own names. */
  tags: string[];
}

export interface BuildImage { id: string; role: 'final' | 'stage' | 'step' }

/** What a step wrote in the system's folders (by the image it made), read under a version of what counts as a write. */
export interface StepWritesRecord { id: string; writes: string[]; policy: number }

/** How a build ended. */
export interface BuildFinish {
  outcome: 'built' | 'failed' | 'interrupted';
  /** The resulting image's full id, when it was built. */
  imageId?: string;
  /** Every image the build made: the result, each earlier stage's result, each step. */
  images: BuildImage[];
  /** The end of the build's output, in the learner's own names. */
  log: string;
  /** The plan as it stands once the build ended (it gains what only the end tells: each stage's image). */
  plan?: unknown;
  /** What each step the build ran wrote in the system's folders, by the image it made (empty: nothing), and under which policy. */
  steps?: StepWritesRecord[];
}

export interface BuildRow extends BuildStart {
  id: number;
  startedAt: number;
  finishedAt?: number;
  outcome: BuildFinish['outcome'] | 'running';
  imageId?: string;
  log: string;
}

export interface BuildQueries {
  /** Records a build as it starts; returns its id. */
  startBuild(start: BuildStart, now?: number): number;
  /** Records how it ended and the images it made. */
  finishBuild(id: number, finish: BuildFinish, now?: number): void;
  /** Records a tag given to an image later (`docker tag`). */
  recordTag(learnerId: string, engine: string, imageId: string, tag: string, now?: number): void;
  /** Whether one of the learner's builds on that engine made the image. */
  builtImage(learnerId: string, engine: string, imageId: string): boolean;
  /** Every image the learner's builds made on that engine. */
  builtImages(learnerId: string, engine: string): string[];
  /** The latest finished build that produced the image, with every tag it was given since. */
  buildOfImage(learnerId: string, engine: string, imageId: string): (BuildRow & { laterTags: string[] }) | undefined;
  /** The learner's latest build on that engine, whatever its outcome. */
  latestBuild(learnerId: string, engine: string): (BuildRow & { laterTags: string[] }) | undefined;
  /** What the step that made the image wrote in the system's folders under `policy`, or undefined when none recorded it so. */
  stepWrites(engine: string, imageId: string, policy: number): string[] | undefined;
  /** Records what steps wrote, read after their build (from the image's layers). */
  recordStepWrites(engine: string, steps: StepWritesRecord[]): void;
  /** Builds still marked running (a server that stopped mid-build): they were interrupted. */
  interruptRunningBuilds(now?: number): number;
  /** Records that the gateway answered this request of the learner's Docker CLI (the first time counts). */
  recordAnswer(learnerId: string, engine: string, request: string, now?: number): void;
  /** Whether the gateway ever answered this request of the learner's on that engine. */
  answered(learnerId: string, engine: string, request: string): boolean;
}

interface Row {
  id: number; learner_id: string; engine: string; dockerfile_name: string; dockerfile: string; plan: string; tags: string;
  started_at: number; finished_at: number | null; outcome: BuildRow['outcome']; image_id: string | null; log: string;
}

const LOG_BYTES = 8 * 1024;

export function buildQueries(db: DatabaseSync): BuildQueries {
  const insert = db.prepare(`INSERT INTO builds (learner_id, engine, dockerfile_name, dockerfile, plan, tags, started_at, outcome, log)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'running', '')`);
  const finish = db.prepare('UPDATE builds SET outcome = ?, image_id = ?, log = ?, finished_at = ?, plan = COALESCE(?, plan) WHERE id = ? AND outcome = \'running\'');
  const insertImage = db.prepare('INSERT OR IGNORE INTO build_images (build_id, learner_id, engine, image_id, role) VALUES (?, ?, ?, ?, ?)');
  const learnerOf = db.prepare('SELECT learner_id, engine FROM builds WHERE id = ?');
  const insertTag = db.prepare('INSERT INTO image_tags (learner_id, engine, image_id, tag, created_at) VALUES (?, ?, ?, ?, ?)');
  const built = db.prepare('SELECT 1 FROM build_images WHERE learner_id = ? AND engine = ? AND image_id = ? LIMIT 1');
  const allBuilt = db.prepare('SELECT DISTINCT image_id FROM build_images WHERE learner_id = ? AND engine = ?');
  const ofImage = db.prepare(`SELECT * FROM builds WHERE learner_id = ? AND engine = ? AND image_id = ? AND outcome = 'built' ORDER BY id DESC LIMIT 1`);
  const tagsSince = db.prepare('SELECT tag FROM image_tags WHERE learner_id = ? AND engine = ? AND image_id = ? AND created_at >= ? ORDER BY id');
  const latest = db.prepare('SELECT * FROM builds WHERE learner_id = ? AND engine = ? ORDER BY id DESC LIMIT 1');
  // The first record of an image stands: an id names one content, made once.
  const insertWrites = db.prepare('INSERT OR IGNORE INTO step_writes (engine, image_id, policy, writes) VALUES (?, ?, ?, ?)');
  const writesOf = db.prepare('SELECT writes FROM step_writes WHERE engine = ? AND image_id = ? AND policy = ?');
  const insertAnswer = db.prepare('INSERT OR IGNORE INTO gateway_answers (learner_id, engine, request, first_at) VALUES (?, ?, ?, ?)');
  const answerOf = db.prepare('SELECT 1 FROM gateway_answers WHERE learner_id = ? AND engine = ? AND request = ?');
  const interrupt = db.prepare(`UPDATE builds SET outcome = 'interrupted', finished_at = ? WHERE outcome = 'running'`);
  return {
    startBuild(start, now = Date.now()) {
      const result = insert.run(start.learnerId, start.engine, start.dockerfileName, start.dockerfile, JSON.stringify(start.plan), JSON.stringify(start.tags), now);
      return Number(result.lastInsertRowid);
    },
    finishBuild(id, result, now = Date.now()) {
      const owner = learnerOf.get(id) as { learner_id: string; engine: string } | undefined;
      if (!owner) return;
      db.exec('BEGIN');
      try {
        finish.run(result.outcome, result.imageId ?? null, result.log.slice(-LOG_BYTES), now, result.plan === undefined ? null : JSON.stringify(result.plan), id);
        for (const image of result.images) insertImage.run(id, owner.learner_id, owner.engine, image.id, image.role);
        for (const step of result.steps ?? []) insertWrites.run(owner.engine, step.id, step.policy, JSON.stringify(step.writes));
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    recordTag: (learnerId, engine, imageId, tag, now = Date.now()) => void insertTag.run(learnerId, engine, imageId, tag, now),
    builtImage: (learnerId, engine, imageId) => built.get(learnerId, engine, imageId) !== undefined,
    builtImages: (learnerId, engine) => (allBuilt.all(learnerId, engine) as { image_id: string }[]).map((r) => r.image_id),
    buildOfImage(learnerId, engine, imageId) {
      const row = ofImage.get(learnerId, engine, imageId) as Row | undefined;
      return row && fromRow(row, (tagsSince.all(learnerId, engine, imageId, row.started_at) as { tag: string }[]).map((r) => r.tag));
    },
    latestBuild(learnerId, engine) {
      const row = latest.get(learnerId, engine) as Row | undefined;
      return row && fromRow(row, []);
    },
    recordStepWrites(engine, steps) {
      for (const step of steps) insertWrites.run(engine, step.id, step.policy, JSON.stringify(step.writes));
    },
    stepWrites(engine, imageId, policy) {
      const row = writesOf.get(engine, imageId, policy) as { writes: string } | undefined;
      return row && (JSON.parse(row.writes) as string[]);
    },
    interruptRunningBuilds: (now = Date.now()) => Number(interrupt.run(now).changes),
    recordAnswer(learnerId, engine, request, now = Date.now()) {
      insertAnswer.run(learnerId, engine, request, now);
    },
    answered: (learnerId, engine, request) => answerOf.get(learnerId, engine, request) !== undefined,
  };
}

function fromRow(row: Row, laterTags: string[]): BuildRow & { laterTags: string[] } {
  return {
    id: row.id, learnerId: row.learner_id, engine: row.engine, dockerfileName: row.dockerfile_name, dockerfile: row.dockerfile,
    plan: JSON.parse(row.plan), tags: JSON.parse(row.tags) as string[], startedAt: row.started_at, finishedAt: row.finished_at ?? undefined,
    outcome: row.outcome, imageId: row.image_id ?? undefined, log: row.log, laterTags,
  };
}
