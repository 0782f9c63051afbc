// The learner's API: health, the course's lessons and checks, progress, image layers, a session,
// and a lesson's checks (run on request, or pushed live to the open page). POST /api/session and a
// check are stateful: a visitor without a session becomes a learner there, if the lab has room.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import type { Config } from '../config.ts';
import { WorkspaceUnavailable, type Sandbox } from '../sandbox/index.ts';
import type { LessonLab } from '../grading/index.ts';
import type { CheckResult } from '../../src/schemas/checks.ts';
import { LayersQuery, LessonFilesBody, MeasurementBody, PredictionBody } from '../../src/schemas/requests.ts';
import { parseMeasurement } from '../../src/schemas/measurement.ts';
import type { Store } from '../store/index.ts';
import type { NewLearner } from './admission.ts';
import type { LiveChecks } from './live-checks.ts';
import { fail, json, learnerOrNew, readBody, refuse, valid } from './respond.ts';
import { RateLimit } from './rate-limit.ts';
import type { ApiRouter } from './router.ts';

export interface LearnerApiDeps {
  config: Config;
  sandbox: Sandbox;
  store: Store;
  labs: Map<string, LessonLab>;
  /** Lessons with starting files (lessons/<slug>/files). */
  lessonStarts: ReadonlySet<string>;
  /** The learner behind the request's session cookie, if any. */
  learner: (req: http.IncomingMessage) => string | undefined;
  /** A new learner (cookie set on `res`), or why the lab cannot take one now. */
  newLearner: NewLearner;
  /** Runs a lesson's checks for a learner and stores the results. */
  gradeAndRecord: (learnerId: string, lab: LessonLab) => Promise<CheckResult[]>;
  /** Open lesson pages, to which results are pushed. */
  live: LiveChecks;
  /** Starts the learner's workspace, if the lab has room for it, without waiting for it. */
  prepareWorkspace: (learnerId: string) => void;
}

export interface CourseEntry { slug: string; title: string; order: number }

/** The lessons in order, from the built site's course.json (or the labs' slugs if the site is not built). */
export function readCourse(siteDir: string, labs: Map<string, LessonLab>): CourseEntry[] {
  const file = path.join(siteDir, 'course.json');
  const listed = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CourseEntry[]) : [];
  return listed.length > 0 ? listed : [...labs.keys()].map((slug, i) => ({ slug, title: slug, order: i + 1 }));
}

/** Predictions and measurements a learner may save: a few a minute, and a bounded number per lesson (all are kept). */
const SAVES_PER_MINUTE = 30;
const SAVES_PER_LESSON = 500;
/** Entries a challenge's board shows per class. */
const BOARD_SIZE = 10;

/** Lesson slugs as routes take them. */
const LESSON = ':lesson(^[a-z0-9-]+$)';

export function learnerApi(router: ApiRouter, deps: LearnerApiDeps): void {
  const running = new Set<string>(); // learners whose checks are running: one run at a time each
  const course = () => readCourse(deps.config.siteDir, deps.labs);
  const checkCounts = () => Object.fromEntries([...deps.labs].map(([slug, lab]) => [slug, lab.checks.length]));
  /** The lesson's lab, or undefined having answered 404. */
  const labOf = (res: http.ServerResponse, slug: string) => {
    const lab = deps.labs.get(slug);
    if (!lab) fail(res, 404, `no lesson named ${slug} has checks`);
    return lab;
  };

  router.get('/api/health', async (_req, res) => {
    const [engine, images] = await Promise.all([deps.sandbox.engineVersion(), deps.sandbox.imageStatus()]);
    // With a pool, one answering engine keeps the site up; `engines` shows which are down.
    json(res, engine ? 200 : 503, {
      ok: Boolean(engine) && Object.values(images).every(Boolean), engine: engine ?? null, engines: deps.sandbox.engines(), profile: deps.config.profile, images,
    });
  });

  router.get('/api/lessons', (_req, res) => json(res, 200, course().map(({ slug, title }) => ({
    slug, title, checks: (deps.labs.get(slug)?.checks ?? []).map(({ id, title: checkTitle }) => ({ id, title: checkTitle })),
  }))));

  router.get('/api/progress', (req, res) => {
    // A visitor without a session (pages make none) simply has no progress yet.
    const learner = deps.learner(req);
    if (!learner) return json(res, 200, { lessons: {}, comments: {} });
    // The same cell the gradebook shows: an instructor's latest override wins, with its reason.
    const lessons: Record<string, object> = deps.store.progress(learner, checkCounts());
    for (const o of deps.store.learnerOverrides(learner)) {
      const max = deps.labs.get(o.lesson)?.checks.reduce((sum, c) => sum + c.points, 0) ?? o.points;
      lessons[o.lesson] = { status: 'started', attempts: 0, lastActivity: o.createdAt, maxPoints: max, ...lessons[o.lesson], points: o.points, override: { points: o.points, reason: o.reason } };
    }
    // The instructor's latest comment per lesson, beside the progress (a comment changes no points,
    // so a lesson with only a comment gets no progress entry). The session is the learner's own.
    const comments = Object.fromEntries(deps.store.learnerComments(learner).map(({ lesson, text, instructor, createdAt }) => [lesson, { text, instructor, createdAt }]));
    json(res, 200, { lessons, comments });
  });

  router.get('/api/images/layers', async (req, res, _params, query) => {
    const asked = valid(res, LayersQuery, { image: query.getAll('image') });
    if (!asked) return;
    const learner = deps.learner(req);
    const images = await Promise.all(asked.image.map(async (name) => (learner ? await deps.sandbox.imageLayers(learner, name) : undefined) ?? { name, missing: true }));
    json(res, 200, { images });
  });

  // The terminal asks for a session just before its socket: the workspace starts now, while the
  // page's terminal still loads, so the shell finds it running.
  router.post('/api/session', async (req, res) => {
    const known = deps.learner(req);
    if (known) {
      deps.prepareWorkspace(known);
      return json(res, 200, { created: false });
    }
    const made = await deps.newLearner(req, res);
    if (!made.ok) return refuse(res, made.error);
    deps.prepareWorkspace(made.value);
    return json(res, 201, { created: true });
  });

  router.get(`/api/lessons/${LESSON}/events`, (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    // Reading makes no learner: a visitor without a session has nothing to watch yet.
    const learner = deps.learner(req);
    if (!learner) return void res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    const opened = deps.live.open(learner, lab, req, res);
    if (!opened.ok) fail(res, opened.status, opened.error);
  });

  // The lesson's starting files into the learner's home (or its folder afresh), dated copy kept.
  const copying = new Set<string>();
  router.post(`/api/lessons/${LESSON}/files`, async (req, res, { lesson }) => {
    if (!deps.lessonStarts.has(lesson!)) return fail(res, 404, `the ${lesson} lesson has no starting files`);
    const body = await readBody(req, res, LessonFilesBody);
    if (!body) return;
    const learner = await learnerOrNew(req, res, deps.learner(req), deps.newLearner);
    if (!learner) return;
    if (copying.has(learner)) return fail(res, 429, 'your previous request for starting files is still running');
    copying.add(learner);
    try {
      const done = await deps.sandbox.startLesson(learner, lesson!, body.reset === true);
      json(res, done.ok ? 200 : 409, { message: done.output });
    } catch (error) {
      if (!(error instanceof WorkspaceUnavailable)) throw error;
      fail(res, 503, error.message);
    } finally {
      copying.delete(learner);
    }
  });

  // What the learner typed in the page (predictions, measurements), to fill it in again on arrival.
  router.get(`/api/lessons/${LESSON}/inputs`, (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    const learner = deps.learner(req);
    json(res, 200, learner ? deps.store.lessonInputs(learner, lab.slug) : { predictions: {}, measurements: {} });
  });

  const saves = new RateLimit(SAVES_PER_MINUTE, 60_000);
  /** Whether the learner may save one more answer in the lesson; if not, answered 429 with why. */
  const roomToSave = (res: http.ServerResponse, learner: string, lesson: string) => {
    if (deps.store.inputsSaved(learner, lesson) >= SAVES_PER_LESSON) return void fail(res, 429, `${SAVES_PER_LESSON} answers are kept for this lesson already: no more can be saved`);
    if (!saves.take(learner)) return void fail(res, 429, `at most ${SAVES_PER_MINUTE} answers a minute: wait a moment`, { 'Retry-After': String(Math.ceil(saves.retryAfter(learner) / 1000)) });
    return true;
  };

  // A challenge's board: the best sizes in each of the learner's classes (none without a class).
  router.get(`/api/lessons/${LESSON}/board`, (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    const learner = deps.learner(req);
    const scored = lab.checks.filter((c) => c.scoredBySize);
    json(res, 200, { boards: scored.map((c) => ({ check: c.id, classes: learner ? deps.store.classBests(learner, lab.slug, c.id, BOARD_SIZE) : [] })) });
  });

  // A prediction is kept, never graded: any of the question's answers is taken, and a later one too.
  router.post(`/api/lessons/${LESSON}/predictions`, async (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    const body = await readBody(req, res, PredictionBody);
    if (!body) return;
    const question = lab.predictions.find((p) => p.id === body.question);
    if (!question) return fail(res, 400, `the ${lab.slug} lesson has no question ${JSON.stringify(body.question)}`);
    if (!question.choices.some((c) => c.id === body.choice)) return fail(res, 400, `no such answer to this question: pick one of ${question.choices.map((c) => c.id).join(', ')}`);
    const learner = await learnerOrNew(req, res, deps.learner(req), deps.newLearner);
    if (!learner || !roomToSave(res, learner, lab.slug)) return;
    deps.store.recordPrediction(learner, lab.slug, question.id, body.choice);
    json(res, 200, { question: question.id, choice: body.choice });
  });

  // A measurement is stored as typed and as the number read from it; the lesson's check judges it.
  router.post(`/api/lessons/${LESSON}/measurements`, async (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    const body = await readBody(req, res, MeasurementBody);
    if (!body) return;
    const check = lab.checks.find((c) => c.id === body.check);
    if (check?.kind !== 'learner.measured') return fail(res, 400, `the ${lab.slug} lesson has no blank ${JSON.stringify(body.check)}`);
    const parsed = parseMeasurement(body.typed, check.quantity);
    if (!parsed.ok) return fail(res, 400, parsed.error);
    const learner = await learnerOrNew(req, res, deps.learner(req), deps.newLearner);
    if (!learner || !roomToSave(res, learner, lab.slug)) return;
    deps.store.recordMeasurement(learner, lab.slug, check.id, body.typed.trim(), parsed.value);
    json(res, 200, { check: check.id, typed: body.typed.trim(), value: parsed.value });
  });

  router.post(`/api/lessons/${LESSON}/check`, async (req, res, { lesson }) => {
    const lab = labOf(res, lesson!);
    if (!lab) return;
    const learner = await learnerOrNew(req, res, deps.learner(req), deps.newLearner);
    if (!learner) return;
    if (running.has(learner)) return fail(res, 429, 'your previous check is still running');
    running.add(learner);
    try {
      const results = await deps.gradeAndRecord(learner, lab);
      deps.live.publish(learner, lab.slug, results);
      json(res, 200, { lesson: lab.slug, results });
    } finally {
      running.delete(learner);
    }
  });
}
