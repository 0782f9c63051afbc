// The JSON API: health, the course's lessons and checks, running a lesson's checks, progress.
// POSTs must come from an allowed Origin (CSRF: another site's page gets 403). POST /api/session and
// a check are stateful: a visitor without a session becomes a learner there, if the lab has room.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import type { Config } from '../config.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { LessonLab } from '../grading/index.ts';
import type { CheckResult } from '../../src/schemas/checks.ts';
import type { Store } from '../store/index.ts';
import type { NewLearner, Refusal } from './admission.ts';
import type { LiveChecks } from './live-checks.ts';

export interface ApiDeps {
  config: Config;
  sandbox: Sandbox;
  store: Store;
  labs: Map<string, LessonLab>;
  /** Origins allowed to POST (the served origin and the configured ones). */
  origins: () => Set<string>;
  /** The learner behind the request's session cookie, if any. */
  learner: (req: http.IncomingMessage) => string | undefined;
  /** A new learner (cookie set on `res`), or why the lab cannot take one now. */
  newLearner: NewLearner;
  /** Runs a lesson's checks for a learner and stores the results. */
  gradeAndRecord: (learnerId: string, lab: LessonLab) => Promise<CheckResult[]>;
  /** Open lesson pages, to which results are pushed. */
  live: LiveChecks;
}

export interface CourseEntry { slug: string; title: string; order: number }

/** The lessons in order, from the built site's course.json (or the labs' slugs if the site is not built). */
export function readCourse(siteDir: string, labs: Map<string, LessonLab>): CourseEntry[] {
  const file = path.join(siteDir, 'course.json');
  const listed = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CourseEntry[]) : [];
  return listed.length > 0 ? listed : [...labs.keys()].map((slug, i) => ({ slug, title: slug, order: i + 1 }));
}

export function createApi(deps: ApiDeps) {
  const running = new Set<string>(); // learners whose checks are running: one run at a time each
  const course = () => readCourse(deps.config.siteDir, deps.labs);
  const checkCounts = () => Object.fromEntries([...deps.labs].map(([slug, lab]) => [slug, lab.checks.length]));

  return async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    if (pathname === '/api/health' && req.method === 'GET') {
      const [engine, images] = await Promise.all([deps.sandbox.engineVersion(), deps.sandbox.imageStatus()]);
      // With a pool, one answering engine keeps the site up; `engines` shows which are down.
      return json(res, engine ? 200 : 503, {
        ok: Boolean(engine) && Object.values(images).every(Boolean), engine: engine ?? null, engines: deps.sandbox.engines(), profile: deps.config.profile, images,
      });
    }
    if (pathname === '/api/lessons' && req.method === 'GET') {
      return json(res, 200, course().map(({ slug, title }) => ({
        slug, title, checks: (deps.labs.get(slug)?.checks ?? []).map(({ id, title: checkTitle }) => ({ id, title: checkTitle })),
      })));
    }
    if (pathname === '/api/progress' && req.method === 'GET') {
      // A visitor without a session (pages make none) simply has no progress yet.
      const learner = deps.learner(req);
      if (!learner) return json(res, 200, { lessons: {} });
      // The same cell the gradebook shows: an instructor's latest override wins, with its reason.
      const lessons: Record<string, object> = deps.store.progress(learner, checkCounts());
      for (const o of deps.store.learnerOverrides(learner)) {
        const max = deps.labs.get(o.lesson)?.checks.reduce((sum, c) => sum + c.points, 0) ?? o.points;
        lessons[o.lesson] = { status: 'started', attempts: 0, lastActivity: o.createdAt, maxPoints: max, ...lessons[o.lesson], points: o.points, override: { points: o.points, reason: o.reason } };
      }
      return json(res, 200, { lessons });
    }
    if (pathname === '/api/images/layers' && req.method === 'GET') {
      const learner = deps.learner(req);
      const names = new URL(req.url ?? '', 'http://api').searchParams.getAll('image').slice(0, 4);
      const images = await Promise.all(names.map(async (name) => (learner ? await deps.sandbox.imageLayers(learner, name) : undefined) ?? { name, missing: true }));
      return json(res, 200, { images });
    }
    if (pathname === '/api/session' && req.method === 'POST') {
      req.resume();
      if (!deps.origins().has(req.headers.origin ?? '')) return json(res, 403, { error: 'cross-site request refused' });
      if (deps.learner(req)) return json(res, 200, { created: false });
      const made = await deps.newLearner(req, res);
      return made.ok ? json(res, 201, { created: true }) : refuse(res, made.error);
    }
    const events = /^\/api\/lessons\/([a-z0-9-]+)\/events$/.exec(pathname);
    if (events && req.method === 'GET') {
      const lab = deps.labs.get(events[1]!);
      if (!lab) return json(res, 404, { error: `no lesson named ${events[1]} has checks` });
      // Reading makes no learner: a visitor without a session has nothing to watch yet.
      const learner = deps.learner(req);
      if (!learner) return void res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
      const opened = deps.live.open(learner, lab, req, res);
      return opened.ok ? undefined : json(res, opened.status, { error: opened.error });
    }
    const check = /^\/api\/lessons\/([a-z0-9-]+)\/check$/.exec(pathname);
    if (check && req.method === 'POST') {
      req.resume();
      if (!deps.origins().has(req.headers.origin ?? '')) return json(res, 403, { error: 'cross-site request refused' });
      const lab = deps.labs.get(check[1]!);
      if (!lab) return json(res, 404, { error: `no lesson named ${check[1]} has checks` });
      let learner = deps.learner(req);
      if (!learner) {
        const made = await deps.newLearner(req, res);
        if (!made.ok) return refuse(res, made.error);
        learner = made.value;
      }
      if (running.has(learner)) return json(res, 429, { error: 'your previous check is still running' });
      running.add(learner);
      try {
        const results = await deps.gradeAndRecord(learner, lab);
        deps.live.publish(learner, lab.slug, results);
        return json(res, 200, { lesson: lab.slug, results });
      } finally {
        running.delete(learner);
      }
    }
    json(res, 404, { error: 'no such API' });
  };
}

/** A refusal of the lab's limits: 503 (full) or 429 (rate), with Retry-After and the learner's message. */
export function refuse(res: http.ServerResponse, refusal: Refusal): void {
  res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  json(res, refusal.status, { error: refusal.message });
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
