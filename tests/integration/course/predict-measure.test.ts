// Predict, then measure: a learner's prediction before a failure the lesson sets up, and the
// figures they type in its blanks, are stored (append-only, the latest counts), given back to the
// page, and refused with a specific sentence when wrong, changing nothing. (The golden cases
// multi-stage/measured-right and fail-measured-off judge typed figures against real images.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { sessionCookie } from '../../support/terminal-client.ts';

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await sessionCookie(server.url);
});

afterAll(async () => {
  await server?.cleanup();
});

const post = (url: string, body: unknown, as = cookie) => fetch(`${server.url}${url}`, {
  method: 'POST', headers: { Origin: server.url, Cookie: as, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});
const inputs = async (slug: string, as = cookie) => (await fetch(`${server.url}/api/lessons/${slug}/inputs`, { headers: { Cookie: as } })).json();
const rows = (table: string) => {
  const db = new DatabaseSync(path.join(server.dataDir, 'stagecraft.db'), { readOnly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('predictions', () => {
  it('keeps each prediction, gives back the latest, and keeps the earlier one too', async () => {
    expect((await post('/api/lessons/single-stage/predictions', { question: 'broken-continuation', choice: 'builds' })).status).toBe(200);
    expect((await post('/api/lessons/single-stage/predictions', { question: 'broken-continuation', choice: 'parse-error' })).status).toBe(200);
    expect(await inputs('single-stage')).toEqual({ predictions: { 'broken-continuation': { choice: 'parse-error', createdAt: expect.any(Number) } }, measurements: {} });
    expect(rows('predictions')).toBe(2);
  });

  it.each([
    ['an unknown question', 'single-stage', { question: 'nope', choice: 'builds' }, 400, 'the single-stage lesson has no question "nope"'],
    ['a question of another lesson', 'single-stage', { question: 'cpp-runtime', choice: 'prints' }, 400, 'the single-stage lesson has no question "cpp-runtime"'],
    ['an unknown choice', 'single-stage', { question: 'broken-continuation', choice: 'maybe' }, 400, 'no such answer to this question: pick one of builds, fails-at-gcc, parse-error, runs-wrong'],
    ['no choice', 'single-stage', { question: 'broken-continuation' }, 400, 'a choice is needed: pick one of the answers'],
    ['an extra field', 'single-stage', { question: 'broken-continuation', choice: 'builds', points: 3 }, 400, undefined],
    ['a lesson without checks', 'no-such-lesson', { question: 'q', choice: 'c' }, 404, 'no lesson named no-such-lesson has checks'],
  ])('refuses %s, storing nothing', async (_what, slug, body, status, error) => {
    const before = rows('predictions');
    const res = await post(`/api/lessons/${slug}/predictions`, body);
    expect(res.status).toBe(status);
    const answer = await res.json() as { error: string };
    if (error) expect(answer.error).toBe(error);
    else expect(answer.error).toBeTruthy();
    expect(rows('predictions')).toBe(before);
  });
});

describe('measurements', () => {
  it('stores a figure as typed and as the number read from it; the latest is given back', async () => {
    const first = await post('/api/lessons/multi-stage/measurements', { check: 'measured-small', typed: '4.16 MB' });
    expect(await first.json()).toEqual({ check: 'measured-small', typed: '4.16 MB', value: 4.16e6 });
    await post('/api/lessons/multi-stage/measurements', { check: 'measured-small', typed: ' 4,160,512 ' });
    expect((await inputs('multi-stage')).measurements).toEqual({ 'measured-small': { typed: '4,160,512', value: 4160512, createdAt: expect.any(Number) } });
    expect(rows('measurements')).toBe(2);
  });

  it('is judged by the lesson\'s check, which says there is nothing typed for a blank left empty', async () => {
    const res = await post('/api/lessons/multi-stage/check', {});
    const { results } = await res.json() as { results: { id: string; status: string; seen?: string }[] };
    // No images built by this learner: each measured check fails on the missing image, before any figure.
    expect(results.find((r) => r.id === 'measured-small')).toMatchObject({ status: 'fail', seen: expect.stringContaining('no image named hello-world-small') });
  });

  it.each([
    ['a size in no unit Docker prints', { check: 'measured-small', typed: '4 MiB' }, 'type a size such as 176MB, 4.16 MB or 176123456 (bytes)'],
    ['words for a ratio', { check: 'measured-ratio', typed: 'forty' }, 'type how many times smaller, as a number such as 40'],
    ['nothing', { check: 'measured-ratio', typed: '   ' }, 'type your figure first'],
    ['a check that is no blank', { check: 'small-built', typed: '4MB' }, 'the multi-stage lesson has no blank "small-built"'],
    ['a blank of another lesson', { check: 'measured', typed: '4MB' }, 'the multi-stage lesson has no blank "measured"'],
    ['a figure of 41 characters', { check: 'measured-small', typed: '1'.repeat(41) }, 'a figure is at most 40 characters'],
  ])('refuses %s with a specific sentence, storing nothing', async (_what, body, error) => {
    const before = rows('measurements');
    const res = await post('/api/lessons/multi-stage/measurements', body);
    expect(res.status).toBe(400);
    expect((await res.json() as { error: string }).error).toBe(error);
    expect(rows('measurements')).toBe(before);
  });

  it('gives a visitor without a session nothing, and makes no learner', async () => {
    const res = await fetch(`${server.url}/api/lessons/multi-stage/inputs`);
    expect(await res.json()).toEqual({ predictions: {}, measurements: {} });
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('takes at most 30 answers a minute from a learner, storing nothing past that', async () => {
    const busy = await sessionCookie(server.url);
    const before = rows('measurements');
    const answers = await Promise.all(Array.from({ length: 35 }, (_, i) => post('/api/lessons/multi-stage/measurements', { check: 'measured-ratio', typed: String(i + 1) }, busy)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(30);
    const refused = answers.find((a) => a.status === 429)!;
    expect((await refused.json() as { error: string }).error).toBe('at most 30 answers a minute: wait a moment');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(rows('measurements')).toBe(before + 30);
  });

  it('keeps one learner\'s figures from another', async () => {
    const other = await sessionCookie(server.url);
    expect((await inputs('multi-stage', other)).measurements).toEqual({});
  });
});
