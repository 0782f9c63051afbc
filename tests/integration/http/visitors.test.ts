// Visitors on the real server and engine: reading pages creates nothing; a learner is made only by a
// stateful request; the lab's cap on running workspaces and the per-address rate of new learners say
// why they refuse, on the API and in the terminal; a learner whose workspace runs is never refused.
import http from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, TerminalClient } from '../../support/terminal-client.ts';
import { CloseCode } from '../../../src/schemas/frames.ts';

const servers: TestServer[] = [];
const terminals: TerminalClient[] = [];

afterAll(async () => {
  for (const terminal of terminals) await terminal.close();
  for (const server of servers) await server.cleanup();
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

/** Rows of the server's own database. */
function rows(server: TestServer): { learners: number; sessions: number } {
  const db = new DatabaseSync(`${server.dataDir}/stagecraft.db`, { readOnly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { learners: count('learners'), sessions: count('sessions') };
  } finally {
    db.close();
  }
}

/** A request from a chosen loopback address (all of 127.0.0.0/8 reaches the server). */
function request(server: TestServer, method: string, path: string, options: { body?: unknown; cookie?: string; from?: string } = {}) {
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const headers: Record<string, string | number> = { Origin: server.url, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (options.cookie) headers.Cookie = options.cookie;
  return new Promise<{ status: number; cookie: string | undefined; retryAfter: string | undefined; json: Record<string, unknown> }>((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers, localAddress: options.from ?? '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
          retryAfter: res.headers['retry-after'] as string | undefined,
          json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function createClass(server: TestServer): Promise<string> {
  const login = await request(server, 'POST', '/api/instructor/login', { body: { name: 'ada', password: 'correct horse battery' } });
  const created = await request(server, 'POST', '/api/classes', { body: { title: 'Group A' }, cookie: login.cookie });
  expect([login.status, created.status]).toEqual([200, 201]);
  return created.json.code as string;
}

describe('with the default limits', () => {
  // One server for these tests; each judges what it added, so they run in any order.
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  });

  it('pages create nothing: pages and the read-only APIs set no cookie and make no learner or session', async () => {
    const before = rows(server);
    for (const path of ['/', '/lessons/single-stage/', '/join/', '/instructor/', '/api/health', '/api/lessons', '/api/progress',
      '/api/lessons/multi-stage/inputs', '/api/lessons/going-further/board', '/api/my-classes']) {
      for (const cookie of [undefined, `sc_session=${'A'.repeat(43)}`]) {
        const res = await fetch(`${server.url}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
        expect(res.headers.get('set-cookie'), path).toBeNull();
      }
    }
    // Read-only APIs answer a visitor without a session plainly (no 401 in the browser's console).
    expect(await (await fetch(`${server.url}/api/progress`)).json()).toEqual({ lessons: {}, comments: {} });
    expect(await (await fetch(`${server.url}/api/images/layers?image=hello-world`)).json()).toEqual({ images: [{ name: 'hello-world', missing: true }] });
    expect(rows(server)).toEqual(before);
  });

  it('POST /api/session makes one learner with an HttpOnly, SameSite=Lax cookie, and only from an allowed origin', async () => {
    const before = rows(server);
    const made = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { Origin: server.url } });
    expect(made.status).toBe(201);
    const cookie = made.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sc_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    const again = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { Origin: server.url, Cookie: cookie.split(';')[0]! } });
    expect([again.status, again.headers.get('set-cookie')]).toEqual([200, null]);
    expect((await fetch(`${server.url}/api/session`, { method: 'POST', headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    expect(rows(server)).toEqual({ learners: before.learners + 1, sessions: before.sessions + 1 });
  });

  it('a class of 60 behind one address joins within seconds', async () => {
    const code = await createClass(server);
    const started = performance.now();
    const joined = [];
    for (let i = 0; i < 60; i++) joined.push(await request(server, 'POST', '/api/join', { body: { code, displayName: `Learner ${i}` }, from: '127.0.0.9' }));
    console.log(`60 joins from one address: ${(performance.now() - started).toFixed(0)} ms`);
    expect(joined.map((j) => j.status)).toEqual(Array(60).fill(200));
  });

  it('a resume code writes at most 120 sessions per address in 10 minutes', async () => {
    const code = await createClass(server);
    const joined = await request(server, 'POST', '/api/join', { body: { code, displayName: 'Returning' }, from: '127.0.0.11' });
    const resumeCode = joined.json.resumeCode as string;
    const before = rows(server).sessions;
    const statuses = [];
    for (let i = 0; i < 121; i++) statuses.push((await request(server, 'POST', '/api/resume', { body: { resumeCode }, from: '127.0.0.10' })).status);
    expect(statuses).toEqual([...Array(120).fill(200), 429]);
    expect(rows(server).sessions - before).toBe(120);
  });
});

describe('the per-address rate of new learners', () => {
  it('refuses the next new learner from an address with 429 and the reason, and makes nothing', async () => {
    const server = await start({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery', STAGECRAFT_NEW_LEARNERS_PER_ADDRESS: '3' });
    const code = await createClass(server);
    for (let i = 0; i < 3; i++) expect((await request(server, 'POST', '/api/join', { body: { code, displayName: `L${i}` } })).status).toBe(200);
    const refused = await request(server, 'POST', '/api/join', { body: { code, displayName: 'one too many' } });
    expect(refused).toMatchObject({ status: 429, cookie: undefined, retryAfter: '600', json: { error: 'Too many new learners from your network (3 in 10 minutes). Try again in 10 min.' } });
    expect((await request(server, 'POST', '/api/session')).status).toBe(429);
    expect(rows(server).learners).toBe(3);
    expect((await request(server, 'POST', '/api/join', { body: { code, displayName: 'elsewhere' }, from: '127.0.0.2' })).status).toBe(200);
  });
});

describe('a full lab', () => {
  let server: TestServer;
  let inside: TerminalClient;
  let waiting: string;

  beforeAll(async () => {
    server = await start({ STAGECRAFT_MAX_WORKSPACES: '1' });
    // A learner made by a check (no terminal asked for yet, so no workspace), then one whose
    // terminal's session took the only place (a session starts the workspace ahead of its shell).
    waiting = (await request(server, 'POST', '/api/lessons/single-stage/check')).cookie!;
    const first = await sessionCookie(server.url);
    inside = await openTerminal(server.url, first);
    terminals.push(inside);
  });

  it('refuses a new visitor on the API with 503 and the reason, and makes no learner', async () => {
    const message = 'The lab is full: 1 workspace is running. Try again in a few minutes.';
    for (const path of ['/api/session', '/api/lessons/single-stage/check']) {
      expect(await request(server, 'POST', path), path).toMatchObject({ status: 503, cookie: undefined, retryAfter: '60', json: { error: message } });
    }
    expect(rows(server).learners).toBe(2);
  });

  it('tells a learner whose workspace does not run, in the terminal, and starts nothing for them', async () => {
    const terminal = new TerminalClient(server.url, { cookie: waiting });
    await terminal.opened();
    expect(await terminal.closed()).toBe(CloseCode.workspaceUnavailable);
    expect(terminal.closeReason).toBe('The lab is full: 1 workspace is running. Try again in a few minutes.');
    expect(server.learners()).toHaveLength(1);
  });

  it('never refuses a learner whose workspace runs', async () => {
    await inside.close();
    const back = new TerminalClient(server.url, { cookie: inside.cookie });
    terminals.push(back);
    await back.opened();
    back.type('echo back-in-$((40+2))\r');
    await back.waitFor('back-in-42');
  });
});
