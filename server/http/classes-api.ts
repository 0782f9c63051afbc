// An instructor's classes: create and list them (with join links and their QR codes), the gradebook (live too), the
// two CSV exports, one learner's attempts with the builds behind them, overrides, comments and regrades.
// The roster (names, removals, merges, joining, archiving) is roster-api.ts's. An archived class is read-only.
// Every route needs the instructor's own cookie; another instructor's class answers as a missing one.
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import QRCode from 'qrcode';
import { attemptsCsv, gradebook, gradesCsv, summarizeRegrade, type LessonLab } from '../grading/index.ts';
import type { CheckResult } from '../../src/schemas/checks.ts';
import { CommentBody, NewClassBody, OverrideBody, RegradeBody } from '../../src/schemas/requests.ts';
import type { Store } from '../store/index.ts';
import { GradebookStreams } from './gradebook-stream.ts';
import type { InstructorOf } from './instructor-api.ts';
import { csv, fail, json, readBody, svg } from './respond.ts';
import type { ApiRouter, Route } from './router.ts';
import { rosterApi, type ClassRoute } from './roster-api.ts';

export interface ClassesApiDeps {
  store: Store;
  labs: Map<string, LessonLab>;
  /** Lessons in course order. */
  lessons: () => { slug: string; title: string }[];
  instructor: InstructorOf;
  /** The address learners open (configured, never a request's Host), for join links. */
  baseUrl: () => string;
  /** Learners whose grades changed are announced here; open gradebooks refresh. */
  changes: EventEmitter;
  /** Re-runs a lesson's checks on a learner's current images (a stored pass survives a reaped image), recorded as a regrade. */
  regrade: (learnerId: string, lab: LessonLab) => Promise<CheckResult[]>;
}


export const CLASS = '/api/classes/:class(^\\d{1,9}$)';
const ARCHIVED = 'this class is archived, so it is read-only: unarchive it first';

export function classesApi(router: ApiRouter, deps: ClassesApiDeps): void {
  const { store, labs } = deps;
  const streams = new GradebookStreams(store, deps.changes);
  const regrading = new Set<number>();
  const maxPoints = (slug: string) => labs.get(slug)?.checks.reduce((sum, c) => sum + c.points, 0) ?? 0;
  const gradedLessons = () => deps.lessons().filter((l) => labs.has(l.slug)).map((l) => ({ slug: l.slug, maxPoints: maxPoints(l.slug) }));
  const checkCounts = () => Object.fromEntries([...labs].map(([slug, lab]) => [slug, lab.checks.length]));
  const rows = (classId: number) => gradebook(store.members(classId), (ids) => store.progress(ids, checkCounts()), store.overrides(classId), gradedLessons(), store.comments(classId));
  const joinUrl = (code: string) => `${deps.baseUrl()}/join/?code=${code}`;

  /** A route for a signed-in instructor. */
  const signedIn = (route: (req: http.IncomingMessage, res: http.ServerResponse, me: { id: number; name: string }) => unknown): Route => (req, res) => {
    const me = deps.instructor(req);
    return me ? route(req, res, me) : fail(res, 401, 'sign in as an instructor first');
  };
  /** A route for one of the signed-in instructor's own classes. */
  const ownClass = (route: ClassRoute): Route => (req, res, params) => {
    const me = deps.instructor(req);
    if (!me) return fail(res, 401, 'sign in as an instructor first');
    const klass = store.classOf(Number(params.class), me.id);
    return klass ? route(req, res, klass, me, params) : fail(res, 404, 'no such class');
  };
  /** A route that changes a class: an archived one is read-only. */
  const writable = (route: ClassRoute): Route => ownClass((req, res, klass, me, params) =>
    klass.archived ? fail(res, 409, ARCHIVED) : route(req, res, klass, me, params));
  /** Only the grid's entries: a removed or merged learner is no longer one. */
  const entry = (classId: number, learnerId: string) => store.members(classId).find((m) => m.learnerId === learnerId);

  router.post('/api/classes', signedIn(async (req, res, me) => {
    const body = await readBody(req, res, NewClassBody);
    if (!body) return;
    const klass = store.createClass(me.id, body.title);
    json(res, 201, { id: klass.id, code: klass.code, joinUrl: joinUrl(klass.code) });
  }));

  // Archived classes are listed only when asked for (?archived=1).
  router.get('/api/classes', signedIn((req, res, me) => json(res, 200,
    store.classesOf(me.id, new URL(req.url ?? '', 'http://x').searchParams.get('archived') === '1').map((c) => ({ ...c, joinUrl: joinUrl(c.code) })))));

  rosterApi(router, { store, base: CLASS, ownClass, writable, changed: (learnerId) => deps.changes.emit('learner', learnerId) });

  // Drawn here, not in the page: the encoder would be most of the instructor page's script budget.
  router.get(`${CLASS}/join-qr.svg`, ownClass(async (_req, res, klass) => svg(res, await QRCode.toString(joinUrl(klass.code), { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }))));

  router.get(`${CLASS}/gradebook`, ownClass((_req, res, klass) => json(res, 200, {
    class: { ...klass, joinUrl: joinUrl(klass.code) }, lessons: deps.lessons().filter((l) => labs.has(l.slug)), rows: rows(klass.id), removed: store.removedMembers(klass.id),
  })));

  router.get(`${CLASS}/events`, ownClass((req, res, klass, me) => streams.open(me.id, klass.id, req, res)));

  router.get(`${CLASS}/grades.csv`, ownClass((_req, res, klass) => csv(res, `${klass.code}-grades.csv`, gradesCsv(rows(klass.id), gradedLessons()))));

  router.get(`${CLASS}/attempts.csv`, ownClass((_req, res, klass) => {
    const overrides = store.overrides(klass.id);
    csv(res, `${klass.code}-attempts.csv`, attemptsCsv(store.members(klass.id).map((m) => ({
      displayName: m.displayName, rosterId: m.rosterId, attempts: store.attemptsOf(m.learnerIds),
      overrides: overrides.filter((o) => m.learnerIds.includes(o.learnerId)).map((o) => ({ ...o, maxPoints: maxPoints(o.lesson) })),
    }))));
  }));

  router.get(`${CLASS}/learners/:learner(^[a-f0-9]{20}$)/attempts`, ownClass((_req, res, klass, _me, params) => {
    // Drill-down: every attempt of one learner of the instructor's own class, with its evidence.
    const member = entry(klass.id, params.learner!);
    if (!member) return fail(res, 404, 'no such learner in your classes');
    const overrides = store.overrides(klass.id).filter((o) => member.learnerIds.includes(o.learnerId));
    const attempts = store.attemptsOf(member.learnerIds).map((a) => ({ ...a, evidence: JSON.parse(a.evidence) as Record<string, unknown>, detail: JSON.parse(a.detail) as unknown }));
    // The snapshot of each graded image: the Dockerfile that built it, as the engine read it, and
    // the end of its build log; and the learner's latest build, for results with no image.
    const engine = (learnerId: string) => store.enginePinned(learnerId) ?? '';
    const snapshot = (build: ReturnType<Store['latestBuild']>) =>
      build && { dockerfileName: build.dockerfileName, dockerfile: build.dockerfile, outcome: build.outcome, log: build.log, tags: [...build.tags, ...build.laterTags] };
    const builds: Record<string, unknown> = {};
    for (const a of attempts) {
      const id = a.evidence.imageId;
      if (typeof id === 'string' && !(id in builds)) builds[id] = snapshot(store.buildOfImage(a.learnerId, engine(a.learnerId), id)) ?? null;
    }
    json(res, 200, { displayName: member.displayName, rosterId: member.rosterId, attempts, overrides, builds, lastBuild: snapshot(store.latestBuild(member.learnerId, engine(member.learnerId))) ?? null });
  }));

  router.post(`${CLASS}/overrides`, writable(async (req, res, klass, me) => {
    const body = await readBody(req, res, OverrideBody);
    if (!body) return;
    if (!entry(klass.id, body.learner)) return fail(res, 404, 'no such learner in this class');
    if (!labs.has(body.lesson)) return fail(res, 400, 'no such lesson with checks');
    if (body.points > maxPoints(body.lesson)) return fail(res, 400, `points must be a whole number from 0 to ${maxPoints(body.lesson)}`);
    store.addOverride(klass.id, body.learner, body.lesson, body.points, body.reason, me.id);
    deps.changes.emit('learner', body.learner);
    json(res, 201, rows(klass.id).find((r) => r.learnerId === body.learner));
  }));

  router.post(`${CLASS}/comments`, writable(async (req, res, klass, me) => {
    const body = await readBody(req, res, CommentBody);
    if (!body) return;
    if (!entry(klass.id, body.learner)) return fail(res, 404, 'no such learner in this class');
    if (!labs.has(body.lesson)) return fail(res, 400, 'no such lesson with checks');
    store.addComment(klass.id, body.learner, body.lesson, body.text, me.id);
    deps.changes.emit('learner', body.learner); // open gradebooks redraw the cell
    json(res, 201, rows(klass.id).find((r) => r.learnerId === body.learner));
  }));

  router.post(`${CLASS}/regrade`, writable(async (req, res, klass) => {
    const body = await readBody(req, res, RegradeBody);
    if (!body) return;
    const lab = labs.get(body.lesson);
    if (!lab) return fail(res, 400, 'no such lesson with checks');
    const members = store.members(klass.id);
    // The confirmation named a number of learners: one joined or left since, and it would be wrong.
    if (body.learners !== undefined && body.learners !== members.length) {
      return json(res, 409, { error: `the class now has ${members.length} learners, not ${body.learners}: confirm the regrade again`, field: 'learners', learners: members.length });
    }
    if (regrading.has(klass.id)) return fail(res, 429, 'a regrade of this class is still running');
    regrading.add(klass.id);
    try {
      const counts = { pass: 0, fail: 0, error: 0 };
      const entries = [];
      // One learner after another: a class's worth of check containers at once would crowd the engine.
      // A merged entry's learners each have their own images: each is regraded.
      for (const member of members) {
        const runs = [];
        for (const learnerId of member.learnerIds) {
          const results = await deps.regrade(learnerId, lab);
          for (const result of results) counts[result.status]++;
          runs.push(results);
        }
        entries.push({ learner: member.displayName, rosterId: member.rosterId, runs });
      }
      json(res, 200, { lesson: lab.slug, learners: members.length, results: counts, ...summarizeRegrade(entries) });
    } finally {
      regrading.delete(klass.id);
    }
  }));
}
