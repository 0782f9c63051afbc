// A learner joins a class with its code and a display name (and gets a resume code), or resumes their
// session on another device with that resume code (also when the class is closed: it is their own
// work). Wrong codes are rate-limited. A learner can see their own classes, with their resume code, again.
import type http from 'node:http';
import { JoinBody, ResumeBody } from '../../src/schemas/requests.ts';
import type { Store } from '../store/index.ts';
import type { NewLearner } from './admission.ts';
import { addressKey, RateLimit } from './rate-limit.ts';
import { fail, json, learnerOrNew, readBody } from './respond.ts';
import type { ApiRouter } from './router.ts';
import { answered } from './roster-api.ts';
import { sessionCookie } from './session-cookie.ts';

export interface JoinApiDeps {
  store: Store;
  /** The learner behind the request's cookie, if any. */
  learner: (req: http.IncomingMessage) => string | undefined;
  /** A new learner (cookie set on `res`), or why the lab cannot take one now. */
  newLearner: NewLearner;
  /** Announces a learner who joined, so the class's open gradebooks show them at once. */
  joined: (learnerId: string) => void;
}

export function joinApi(router: ApiRouter, deps: JoinApiDeps): void {
  // Only wrong codes count: 20 a minute per address keeps guessing an 8-character code (31^8)
  // hopeless, while a class of 60 behind one NAT address joins with the right code unhindered.
  const codeGuesses = new RateLimit(20, 60_000);
  // Each resume writes a session row: bounded per address like new learners (a class's worth, twice).
  const resumes = new RateLimit(120, 10 * 60_000);
  const address = (req: http.IncomingMessage) => addressKey(req.socket.remoteAddress);
  /** Looks a code up; a wrong one counts toward its address's guessing limit. */
  const lookUp = <T>(req: http.IncomingMessage, res: http.ServerResponse, find: () => T | undefined, unknown: string): T | undefined => {
    // Checked after the body's await, with none before the count: parallel guesses cannot all pass.
    if (codeGuesses.exhausted(address(req))) return void fail(res, 429, 'too many wrong codes: wait a minute');
    const found = find();
    if (found === undefined) {
      codeGuesses.take(address(req));
      fail(res, 404, unknown);
    }
    return found;
  };

  router.post('/api/join', async (req, res) => {
    const body = await readBody(req, res, JoinBody);
    if (!body) return;
    const klass = lookUp(req, res, () => deps.store.classByCode(body.code), 'no class has this code: check it with your instructor');
    if (!klass) return;
    // Before a learner is made: a refused join leaves no session behind.
    if (!answered(res, deps.store.joinRefusal(klass.id, deps.learner(req), body.displayName), 'displayName')) return;
    const learnerId = await learnerOrNew(req, res, deps.learner(req), deps.newLearner);
    if (!learnerId) return;
    const joined = deps.store.join(klass.id, learnerId, body.displayName);
    if (!answered(res, joined, 'displayName') || !joined.ok) return;
    deps.joined(learnerId);
    json(res, 200, { classTitle: klass.title, displayName: body.displayName, resumeCode: joined.value });
  });

  // Only the learner's own cookie reaches their code: a session is the same right the code gives.
  router.get('/api/my-classes', (req, res) => {
    const learnerId = deps.learner(req);
    json(res, 200, { classes: learnerId ? deps.store.membershipsOf(learnerId) : [] });
  });

  router.post('/api/resume', async (req, res) => {
    const body = await readBody(req, res, ResumeBody);
    if (!body) return;
    const learnerId = lookUp(req, res, () => deps.store.learnerForResumeCode(body.resumeCode), 'this resume code is not known');
    if (!learnerId) return;
    if (!resumes.take(address(req))) return fail(res, 429, 'too many resumes from your network: try again in a few minutes');
    json(res, 200, {}, { 'Set-Cookie': sessionCookie(deps.store.sessionFor(learnerId)) });
  });
}
