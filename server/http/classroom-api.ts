// Classroom API: instructor sign-in, classes and join codes, joining and resuming as a learner, the
// gradebook, overrides and CSV. Every POST needs an allowed Origin (CSRF); instructor routes need
// the instructor's own HttpOnly cookie and answer 404 for a class that is not theirs.
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import { gradebook, gradesCsv, csvText, type LessonLab } from '../grading/index.ts';
import type { CheckResult } from '../../src/schemas/checks.ts';
import type { Store } from '../store/index.ts';
import type { NewLearner } from './admission.ts';
import { refuse } from './api.ts';
import { addressKey, RateLimit } from './rate-limit.ts';
import { SignInLimit } from './sign-in-limit.ts';
import { instructorCookie, readCookie, sessionCookie, INSTRUCTOR_COOKIE, COOKIE_NAME } from './session-cookie.ts';

export interface ClassroomDeps {
  store: Store;
  labs: Map<string, LessonLab>;
  /** Lessons in course order. */
  lessons: () => { slug: string; title: string }[];
  origins: () => Set<string>;
  /** The served origin, for join links. */
  baseUrl: () => string;
  /** The learner behind the request's cookie, if any. */
  learner: (req: http.IncomingMessage) => string | undefined;
  /** A new learner (cookie set on `res`), or why the lab cannot take one now. */
  newLearner: NewLearner;
  /** Learners whose grades changed are announced here; open gradebooks refresh. */
  changes: EventEmitter;
  /** Re-runs a lesson's checks on a learner's current images (a stored pass survives a reaped image). */
  regrade: (learnerId: string, lab: LessonLab) => Promise<CheckResult[]>;
}

/** Open live gradebooks per instructor, at most: each holds a connection. */
const MAX_STREAMS = 8;

const MAX_BODY = 16 * 1024;
/** Longest instructor name looked at; anything longer is refused before it is counted. */
const MAX_NAME = 200;

export function createClassroomApi(deps: ClassroomDeps) {
  const signIns = new SignInLimit();
  const streams = new Map<number, number>();
  const regrading = new Set<number>();
  // Only wrong codes count: 20 a minute per address keeps guessing an 8-character code (31^8)
  // hopeless, while a class of 60 behind one NAT address joins with the right code unhindered.
  const codeGuesses = new RateLimit(20, 60_000);
  // Each resume writes a session row: bounded per address like new learners (a class's worth, twice).
  const resumes = new RateLimit(120, 10 * 60_000);
  const address = (req: http.IncomingMessage) => addressKey(req.socket.remoteAddress);
  const maxPoints = (slug: string) => deps.labs.get(slug)?.checks.reduce((sum, c) => sum + c.points, 0) ?? 0;
  const gradedLessons = () => deps.lessons().filter((l) => deps.labs.has(l.slug)).map((l) => ({ slug: l.slug, maxPoints: maxPoints(l.slug) }));
  const checkCounts = () => Object.fromEntries([...deps.labs].map(([slug, lab]) => [slug, lab.checks.length]));
  const rows = (classId: number) => gradebook(deps.store.members(classId), (id) => deps.store.progress(id, checkCounts()), deps.store.overrides(classId), gradedLessons());
  const instructor = (req: http.IncomingMessage) => {
    const token = readCookie(req.headers.cookie, INSTRUCTOR_COOKIE);
    return token ? deps.store.instructorForSession(token) : undefined;
  };

  /** Answers the request if it is a classroom route; false when it is not one. */
  return async function handleClassroom(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    if (method === 'POST' && !deps.origins().has(req.headers.origin ?? '')) {
      if (/^\/api\/(instructor|classes|join|resume)/.test(pathname)) return reply(res, 403, { error: 'cross-site request refused' });
      return false;
    }
    if (pathname === '/api/instructor/login' && method === 'POST') {
      const body = await readJson(req);
      const name = typeof body?.name === 'string' ? body.name : '';
      if (name.length > MAX_NAME) return reply(res, 400, { error: `a name is at most ${MAX_NAME} characters` });
      // Checked and recorded with no await between (scrypt is synchronous), so parallel tries cannot slip past.
      const wait = signIns.wait(address(req), name);
      if (wait > 0) {
        res.setHeader('Retry-After', Math.ceil(wait / 1000));
        return reply(res, 429, { error: `too many failed sign-ins from your address: try again in ${Math.ceil(wait / 1000)} s` });
      }
      const token = typeof body?.password === 'string' ? deps.store.signIn(name, body.password) : undefined;
      if (!token) {
        signIns.failed(address(req), name);
        return reply(res, 401, { error: 'wrong name or password' });
      }
      signIns.succeeded(address(req), name);
      res.setHeader('Set-Cookie', instructorCookie(token));
      return reply(res, 200, { name });
    }
    if (pathname === '/api/instructor/logout' && method === 'POST') {
      const token = readCookie(req.headers.cookie, INSTRUCTOR_COOKIE);
      if (token) deps.store.signOut(token);
      res.setHeader('Set-Cookie', instructorCookie('', 0));
      return reply(res, 200, {});
    }
    if (pathname === '/api/join' && method === 'POST') {
      const body = await readJson(req);
      // Checked after the body's await, with none before the count: parallel guesses cannot all pass.
      if (codeGuesses.exhausted(address(req))) return reply(res, 429, { error: 'too many wrong codes: wait a minute' });
      const code = typeof body?.code === 'string' ? body.code.trim() : '';
      const displayName = typeof body?.displayName === 'string' ? body.displayName.trim() : '';
      if (displayName.length < 1 || displayName.length > 60) return reply(res, 400, { error: 'a display name of 1 to 60 characters is needed' });
      const klass = code.length <= 64 ? deps.store.classByCode(code) : undefined;
      if (!klass) {
        codeGuesses.take(address(req));
        return reply(res, 404, { error: 'no class has this code: check it with your instructor' });
      }
      let learnerId = deps.learner(req);
      if (!learnerId) {
        const made = await deps.newLearner(req, res);
        if (!made.ok) {
          refuse(res, made.error);
          return true;
        }
        learnerId = made.value;
      }
      const resumeCode = deps.store.join(klass.id, learnerId, displayName);
      return reply(res, 200, { classTitle: klass.title, displayName, resumeCode });
    }
    if (pathname === '/api/resume' && method === 'POST') {
      const body = await readJson(req);
      if (codeGuesses.exhausted(address(req))) return reply(res, 429, { error: 'too many wrong codes: wait a minute' });
      const learnerId = typeof body?.resumeCode === 'string' && body.resumeCode.length <= 64 ? deps.store.learnerForResumeCode(body.resumeCode.trim()) : undefined;
      if (!learnerId) {
        codeGuesses.take(address(req));
        return reply(res, 404, { error: 'this resume code is not known' });
      }
      if (!resumes.take(address(req))) return reply(res, 429, { error: 'too many resumes from your network: try again in a few minutes' });
      res.setHeader('Set-Cookie', sessionCookie(deps.store.sessionFor(learnerId)));
      return reply(res, 200, {});
    }
    if (!pathname.startsWith('/api/classes') && pathname !== '/api/instructor') return false;
    const me = instructor(req);
    if (!me) return reply(res, 401, { error: 'sign in as an instructor first' });
    if (pathname === '/api/instructor' && method === 'GET') return reply(res, 200, { name: me.name });
    if (pathname === '/api/classes' && method === 'POST') {
      const body = await readJson(req);
      const title = typeof body?.title === 'string' ? body.title.trim() : '';
      if (title.length < 1 || title.length > 120) return reply(res, 400, { error: 'a title of 1 to 120 characters is needed' });
      const klass = deps.store.createClass(me.id, title);
      return reply(res, 201, { id: klass.id, code: klass.code, joinUrl: `${deps.baseUrl()}/join/?code=${klass.code}` });
    }
    if (pathname === '/api/classes' && method === 'GET') {
      return reply(res, 200, deps.store.classesOf(me.id).map((c) => ({ ...c, joinUrl: `${deps.baseUrl()}/join/?code=${c.code}` })));
    }
    const attemptsOf = /^\/api\/classes\/(\d+)\/learners\/([a-f0-9]{20})\/attempts$/.exec(pathname);
    if (attemptsOf && method === 'GET') {
      // Drill-down: every attempt of one learner of the instructor's own class, with its evidence.
      const owned = deps.store.classOf(Number(attemptsOf[1]), me.id);
      const member = owned ? deps.store.members(owned.id).find((m) => m.learnerId === attemptsOf[2]) : undefined;
      if (!owned || !member) return reply(res, 404, { error: 'no such learner in your classes' });
      const overrides = deps.store.overrides(owned.id).filter((o) => o.learnerId === member.learnerId);
      const attempts = deps.store.attemptsOf(member.learnerId).map((a) => ({ ...a, evidence: JSON.parse(a.evidence) as Record<string, unknown>, detail: JSON.parse(a.detail) as unknown }));
      // The snapshot of each graded image: the Dockerfile that built it, as the engine read it, and
      // the end of its build log; and the learner's latest build, for results with no image.
      const engine = deps.store.enginePinned(member.learnerId) ?? '';
      const snapshot = (build: ReturnType<typeof deps.store.latestBuild>) =>
        build && { dockerfileName: build.dockerfileName, dockerfile: build.dockerfile, outcome: build.outcome, log: build.log, tags: [...build.tags, ...build.laterTags] };
      const builds: Record<string, unknown> = {};
      for (const id of new Set(attempts.map((a) => a.evidence.imageId).filter((id): id is string => typeof id === 'string'))) {
        builds[id] = snapshot(deps.store.buildOfImage(member.learnerId, engine, id)) ?? null;
      }
      return reply(res, 200, { displayName: member.displayName, attempts, overrides, builds, lastBuild: snapshot(deps.store.latestBuild(member.learnerId, engine)) ?? null });
    }
    const match = /^\/api\/classes\/(\d+)\/(gradebook|grades\.csv|attempts\.csv|overrides|events|regrade)$/.exec(pathname);
    // Another instructor's class answers as a missing one.
    const klass = match ? deps.store.classOf(Number(match[1]), me.id) : undefined;
    if (!match || !klass) return reply(res, 404, { error: 'no such class' });
    const view = match[2];
    if (view === 'gradebook' && method === 'GET') {
      return reply(res, 200, { class: klass, lessons: deps.lessons().filter((l) => deps.labs.has(l.slug)), rows: rows(klass.id) });
    }
    if (view === 'events' && method === 'GET') {
      if ((streams.get(me.id) ?? 0) >= MAX_STREAMS) return reply(res, 429, { error: 'too many open gradebooks' });
      streams.set(me.id, (streams.get(me.id) ?? 0) + 1);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': live gradebook\n\n');
      const onChange = (learnerId: string) => {
        if (deps.store.members(klass.id).some((m) => m.learnerId === learnerId)) res.write('event: grades\ndata: {}\n\n');
      };
      deps.changes.on('learner', onChange);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      req.on('close', () => {
        clearInterval(keepAlive);
        deps.changes.off('learner', onChange);
        streams.set(me.id, (streams.get(me.id) ?? 1) - 1);
      });
      return true;
    }
    if (view === 'regrade' && method === 'POST') {
      const body = await readJson(req);
      const lab = deps.labs.get(typeof body?.lesson === 'string' ? body.lesson : '');
      if (!lab) return reply(res, 400, { error: 'no such lesson with checks' });
      if (regrading.has(klass.id)) return reply(res, 429, { error: 'a regrade of this class is still running' });
      regrading.add(klass.id);
      try {
        const counts = { pass: 0, fail: 0, error: 0 };
        // One learner after another: a class's worth of check containers at once would crowd the engine.
        for (const member of deps.store.members(klass.id)) {
          for (const result of await deps.regrade(member.learnerId, lab)) counts[result.status]++;
        }
        return reply(res, 200, { lesson: lab.slug, learners: deps.store.members(klass.id).length, results: counts });
      } finally {
        regrading.delete(klass.id);
      }
    }
    if (view === 'grades.csv' && method === 'GET') {
      return csv(res, `${klass.code}-grades.csv`, gradesCsv(rows(klass.id), gradedLessons().map((l) => l.slug)));
    }
    if (view === 'attempts.csv' && method === 'GET') {
      const table: (string | number)[][] = [['learner', 'lesson', 'check', 'status', 'points', 'max_points', 'at', 'evidence']];
      for (const member of deps.store.members(klass.id)) {
        for (const a of deps.store.attemptsOf(member.learnerId)) {
          table.push([member.displayName, a.lesson, a.checkId, a.status, a.points, a.maxPoints, new Date(a.createdAt).toISOString(), a.evidence]);
        }
      }
      return csv(res, `${klass.code}-attempts.csv`, csvText(table));
    }
    if (view === 'overrides' && method === 'POST') {
      const body = await readJson(req);
      const learnerId = typeof body?.learner === 'string' ? body.learner : '';
      const lesson = typeof body?.lesson === 'string' ? body.lesson : '';
      const points = body?.points;
      const reason = typeof body?.reason === 'string' ? body.reason.trim() : '';
      if (!deps.store.members(klass.id).some((m) => m.learnerId === learnerId)) return reply(res, 404, { error: 'no such learner in this class' });
      if (!deps.labs.has(lesson)) return reply(res, 400, { error: 'no such lesson with checks' });
      if (!Number.isInteger(points) || (points as number) < 0 || (points as number) > maxPoints(lesson)) return reply(res, 400, { error: `points must be a whole number from 0 to ${maxPoints(lesson)}` });
      if (reason.length < 1 || reason.length > 500) return reply(res, 400, { error: 'a reason (up to 500 characters) is needed: it stays in the audit trail' });
      deps.store.addOverride(klass.id, learnerId, lesson, points as number, reason, me.id);
      deps.changes.emit('learner', learnerId);
      return reply(res, 201, rows(klass.id).find((r) => r.learnerId === learnerId));
    }
    return reply(res, 405, { error: 'method not allowed' });
  };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not JSON: every field then reads as missing, and the route says which
  }
}

function reply(res: http.ServerResponse, status: number, value: unknown): true {
  const body = JSON.stringify(value ?? {});
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

function csv(res: http.ServerResponse, filename: string, text: string): true {
  res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' });
  res.end(text);
  return true;
}

export { COOKIE_NAME };
