// A class's roster, for its instructor: rename, remove and restore, merge two entries of one person,
// close and reopen joining, archive and unarchive. The store says what is refused and why; this
// maps its codes to statuses. Every change is announced, so open gradebooks redraw.
import type http from 'node:http';
import { ArchiveBody, JoiningBody, LearnerBody, MergeBody, RenameBody } from '../../src/schemas/requests.ts';
import { json, readBody } from './respond.ts';
import type { ApiRouter, Route } from './router.ts';
import type { ClassInfo, RosterRefusal, RosterResult, Store } from '../store/index.ts';

/** A route for one of the signed-in instructor's own classes. */
export type ClassRoute = (req: http.IncomingMessage, res: http.ServerResponse, klass: ClassInfo, me: { id: number; name: string }, params: Record<string, string>) => unknown;

export interface RosterApiDeps {
  store: Store;
  /** The path of one class, e.g. /api/classes/:class. */
  base: string;
  ownClass: (route: ClassRoute) => Route;
  /** ownClass, refused (409) for an archived class. */
  writable: (route: ClassRoute) => Route;
  /** Announces a learner whose gradebook row changed. */
  changed: (learnerId: string) => void;
}

const STATUS: Record<RosterRefusal['code'], number> = {
  class_archived: 409, joining_closed: 403, name_taken: 409, removed_from_class: 403, not_a_member: 404, same_entry: 400,
};

/** Answers a refusal with its status, naming the field it is about; true when the change was made. */
export function answered(res: http.ServerResponse, result: RosterResult<unknown>, field?: string): boolean {
  if (result.ok) return true;
  json(res, STATUS[result.error.code], { error: result.error.message, code: result.error.code, ...(field && result.error.code === 'name_taken' ? { field } : {}) });
  return false;
}

export function rosterApi(router: ApiRouter, deps: RosterApiDeps): void {
  const { store, base } = deps;
  const done = (res: http.ServerResponse, ...learners: string[]) => {
    for (const learner of learners) deps.changed(learner);
    json(res, 200, {});
  };

  router.post(`${base}/roster/rename`, deps.writable(async (req, res, klass) => {
    const body = await readBody(req, res, RenameBody);
    if (body && answered(res, store.rename(klass.id, body.learner, body.displayName), 'displayName')) done(res, body.learner);
  }));

  router.post(`${base}/roster/remove`, deps.writable(async (req, res, klass) => {
    const body = await readBody(req, res, LearnerBody);
    if (body && answered(res, store.remove(klass.id, body.learner))) done(res, body.learner);
  }));

  router.post(`${base}/roster/restore`, deps.writable(async (req, res, klass) => {
    const body = await readBody(req, res, LearnerBody);
    if (body && answered(res, store.restore(klass.id, body.learner))) done(res, body.learner);
  }));

  router.post(`${base}/roster/merge`, deps.writable(async (req, res, klass) => {
    const body = await readBody(req, res, MergeBody);
    if (body && answered(res, store.merge(klass.id, body.into, body.learner))) done(res, body.into, body.learner);
  }));

  router.post(`${base}/joining`, deps.writable(async (req, res, klass) => {
    const body = await readBody(req, res, JoiningBody);
    if (body && answered(res, store.setJoining(klass.id, body.open))) json(res, 200, { joiningClosed: !body.open });
  }));

  // Not `writable`: unarchiving is the one change an archived class takes.
  router.post(`${base}/archive`, deps.ownClass(async (req, res, klass) => {
    const body = await readBody(req, res, ArchiveBody);
    if (!body) return;
    store.setArchived(klass.id, body.archived);
    json(res, 200, { archived: body.archived });
  }));
}
