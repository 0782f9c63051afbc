// The instructor's session: sign in (rate-limited per address and name, scrypt off the event loop),
// who is signed in, sign out here, and sign out everywhere. Sessions expire INSTRUCTOR_SESSION_MS
// after sign-in, in the store as in the cookie.
import type http from 'node:http';
import { SignInBody } from '../../src/schemas/requests.ts';
import { INSTRUCTOR_SESSION_MS, type Store } from '../store/index.ts';
import { addressKey } from './rate-limit.ts';
import { fail, json, readBody } from './respond.ts';
import type { ApiRouter } from './router.ts';
import { instructorCookie, readCookie, INSTRUCTOR_COOKIE } from './session-cookie.ts';
import { SignInLimit } from './sign-in-limit.ts';

/** Passwords checked at once; each scrypt holds 16 MB and a thread of libuv's pool of four. */
const MAX_HASHING = 2;

export type InstructorOf = (req: http.IncomingMessage) => { id: number; name: string } | undefined;

/** The instructor behind a request's own cookie, if their session has not expired. */
export const instructorOf = (store: Store): InstructorOf => (req) => {
  const token = readCookie(req.headers.cookie, INSTRUCTOR_COOKIE);
  return token ? store.instructorForSession(token) : undefined;
};

export function instructorApi(router: ApiRouter, store: Store): void {
  const signIns = new SignInLimit();
  const me = instructorOf(store);
  let hashing = 0;

  router.post('/api/instructor/login', async (req, res) => {
    const body = await readBody(req, res, SignInBody);
    if (!body) return;
    const address = addressKey(req.socket.remoteAddress);
    // Checked and counted with no await between, so parallel tries cannot all slip past.
    const wait = signIns.wait(address, body.name);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return fail(res, 429, `too many failed sign-ins from your address: try again in ${seconds} s`, { 'Retry-After': seconds });
    }
    if (hashing >= MAX_HASHING) return fail(res, 503, 'the server is checking other sign-ins: try again in a second', { 'Retry-After': 1 });
    signIns.trying(address, body.name);
    hashing++;
    let token: string | undefined;
    try {
      token = await store.signIn(body.name, body.password);
    } finally {
      hashing--;
    }
    if (!token) return fail(res, 401, 'wrong name or password');
    signIns.succeeded(address, body.name);
    json(res, 200, { name: body.name }, { 'Set-Cookie': instructorCookie(token, INSTRUCTOR_SESSION_MS / 1000) });
  });

  router.post('/api/instructor/logout', (req, res) => {
    const token = readCookie(req.headers.cookie, INSTRUCTOR_COOKIE);
    if (token) store.signOut(token);
    json(res, 200, {}, { 'Set-Cookie': instructorCookie('', 0) });
  });

  router.post('/api/instructor/logout-everywhere', (req, res) => {
    const instructor = me(req);
    if (!instructor) return fail(res, 401, 'sign in as an instructor first');
    store.signOutEverywhere(instructor.id);
    json(res, 200, {}, { 'Set-Cookie': instructorCookie('', 0) });
  });

  router.get('/api/instructor', (req, res) => {
    const instructor = me(req);
    return instructor ? json(res, 200, { name: instructor.name }) : fail(res, 401, 'sign in as an instructor first');
  });
}
