// The API's contract on the real server: every request body is checked against its schema and
// every error has one shape, { error: sentence }; routes answer 404 and 405 as HTTP says; the
// instructor's sessions can be ended everywhere; the site goes out precompressed, with ETags.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
});

afterAll(async () => {
  await server?.cleanup();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...headers }, body });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const signIn = async () => cookieOf(await post('/api/instructor/login', JSON.stringify({ name: 'ada', password: 'correct horse battery' })));

describe('request bodies', () => {
  it.each([
    ['/api/join', '{"code":"ABCDEFGH"}', 400, { error: 'a display name of 1 to 60 characters is needed', field: 'displayName' }],
    ['/api/join', '{"code":"ABCDEFGH","displayName":"   "}', 400, { error: 'a display name of 1 to 60 characters is needed', field: 'displayName' }],
    ['/api/join', '{"code":"ABCDEFGH","displayName":"Grace","admin":true}', 400, { error: 'this request takes no field named "admin"', field: 'admin' }],
    ['/api/join', 'not json', 400, { error: 'the request body is not JSON' }],
    ['/api/join', '["a list"]', 400, { error: 'the request body must be a JSON object' }],
    ['/api/resume', '{"resumeCode":42}', 400, { error: 'a resume code is needed', field: 'resumeCode' }],
    ['/api/instructor/login', `{"name":"${'a'.repeat(201)}","password":"x"}`, 400, { error: 'a name is at most 200 characters', field: 'name' }],
    ['/api/instructor/login', '{"name":"ada"}', 400, { error: 'a password is needed', field: 'password' }],
    ['/api/join', JSON.stringify({ code: 'x', displayName: 'y'.repeat(17_000) }), 413, { error: 'a request body is at most 16 KiB' }],
  ])('POST %s %s answers %i with one sentence', async (path, body, status, answer) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(answer);
  });

  it('checks an instructor\'s bodies the same way, after their session', async () => {
    const teacher = await signIn();
    const res = await post('/api/classes', '{"title":""}', { Cookie: teacher });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'a title of 1 to 120 characters is needed', field: 'title' });
    const created = (await (await post('/api/classes', '{"title":"Group C"}', { Cookie: teacher })).json()) as { id: number };
    const override = await post(`/api/classes/${created.id}/overrides`, JSON.stringify({ learner: 'a'.repeat(20), lesson: 'single-stage', points: 1.5, reason: 'x' }), { Cookie: teacher });
    expect(await override.json()).toEqual({ error: 'points must be a whole number', field: 'points' });
  });

  it('checks queries: at most four images\' layers at once', async () => {
    const res = await fetch(`${server.url}/api/images/layers?${Array.from({ length: 5 }, (_, i) => `image=i${i}`).join('&')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'at most 4 images at once', field: 'image' });
  });
});

describe('routes', () => {
  it('answer an unknown API 404 and a known one with another method 405, in the same shape', async () => {
    const missing = await fetch(`${server.url}/api/nothing`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'no such API' }]);
    const wrong = await fetch(`${server.url}/api/lessons`, { method: 'POST', headers: { Origin: server.url } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toEqual({ error: 'this API answers GET only' });
  });

  it('refuse every POST from another site before reading it', async () => {
    for (const path of ['/api/session', '/api/join', '/api/resume', '/api/instructor/login', '/api/instructor/logout-everywhere', '/api/lessons/single-stage/check']) {
      const res = await post(path, '{}', { Origin: 'http://evil.example' });
      expect([path, res.status, await res.json()]).toEqual([path, 403, { error: 'cross-site request refused' }]);
    }
  });
});

describe('instructor sessions', () => {
  it('sign-out everywhere ends the sessions of every device, and the cookie says when a session ends', async () => {
    const login = await post('/api/instructor/login', JSON.stringify({ name: 'ada', password: 'correct horse battery' }));
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const laptop = cookieOf(login);
    const phone = await signIn();
    const me = (cookie: string) => fetch(`${server.url}/api/instructor`, { headers: { Cookie: cookie } }).then((r) => r.status);
    expect([await me(laptop), await me(phone)]).toEqual([200, 200]);
    expect((await post('/api/instructor/logout-everywhere', '{}', { Cookie: phone })).status).toBe(200);
    expect([await me(laptop), await me(phone)]).toEqual([401, 401]);
  });
});

describe('the site as served', () => {
  it('sends the lesson page and its scripts precompressed, each with an ETag that a revisit turns into 304', async () => {
    const page = await fetch(`${server.url}/lessons/single-stage/`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(page.headers.get('content-encoding')).toBe('br');
    const html = await page.text(); // fetch decodes it
    expect(html).toContain('aria-label="Terminal"');
    const script = /<script[^>]+src="(\/_astro\/[^"]+\.js)"/.exec(html)![1]!;
    const first = await fetch(`${server.url}${script}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // A browser's revisit (fetch would add Cache-Control: no-cache, a forced reload, which must get the file).
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${server.url}${script}`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': first.headers.get('etag')! } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });
});
