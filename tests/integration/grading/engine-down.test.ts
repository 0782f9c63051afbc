// When the engine does not answer, no check can judge: every result is `error`, never `fail`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { sessionCookie } from '../../support/terminal-client.ts';
import { runChecks } from '../../support/lab.ts';

let server: TestServer;
const missingSocket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'down-')), 'docker.sock');

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_ENGINES: `unix://${missingSocket}` });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
});

describe('grading with the engine down', () => {
  it('answers error with the cause, and no points are lost', async () => {
    const { status, results } = await runChecks(server.url, await sessionCookie(server.url), 'single-stage');
    expect(status).toBe(200);
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(result).toMatchObject({ status: 'error', cause: 'engine_unavailable', points: 0 });
  });

  it('reports the engine as down in /api/health', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, engine: null });
  });
});

describe('who may run checks', () => {
  it('refuses a check POST from another origin; without a session, the check makes the learner', async () => {
    const cookie = await sessionCookie(server.url);
    const post = (headers: Record<string, string>) => fetch(`${server.url}/api/lessons/single-stage/check`, { method: 'POST', headers });
    expect((await post({ Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ Cookie: cookie })).status).toBe(403);
    // A check is a visitor's first stateful request (pages create nothing): it starts their session.
    const first = await post({ Origin: server.url });
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toMatch(/^sc_session=[A-Za-z0-9_-]{43};/);
  });

  it('lists the lessons with their checks, never their solutions', async () => {
    const lessons = (await (await fetch(`${server.url}/api/lessons`)).json()) as { slug: string; checks: { id: string; title: string }[] }[];
    expect(lessons.find((l) => l.slug === 'single-stage')?.checks.map((c) => c.id)).toEqual(['image-built', 'image-runs']);
    expect(JSON.stringify(lessons)).not.toMatch(/hints|solution|printf/);
  });
});
