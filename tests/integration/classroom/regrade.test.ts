// A regrade touches the number of learners the instructor confirmed, or none; its runs are recorded
// as a regrade's, never as the learners' own attempts; and it answers
// in learners. (Passed and could-not-judge, which need built images, are in classroom.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { runChecks } from '../../support/lab.ts';

let server: TestServer;
let teacher: string;
let classId: number;
const cookies: Record<string, string> = {};

const post = (path: string, body: unknown, cookie = teacher) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const regrade = (body: unknown) => post(`/api/classes/${classId}/regrade`, body);
const cell = async (name: string) => ((await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as
  { rows: { displayName: string; lessons: Record<string, { attempts: number; status: string }> }[] }).rows.find((r) => r.displayName === name)!.lessons['single-stage']!;
const rowsOfKind = async (kind: string) => (await (await fetch(`${server.url}/api/classes/${classId}/attempts.csv`, { headers: { Cookie: teacher } })).text())
  .split('\r\n').filter((line) => line.includes(`,"${kind}",`)).length;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }, ''));
  const created = (await (await post('/api/classes', { title: 'Regrade' })).json()) as { id: number; code: string };
  classId = created.id;
  for (const name of ['Grace', 'Linus']) cookies[name] = cookieOf(await post('/api/join', { code: created.code, displayName: name }, ''));
  // Grace checks once (no image yet: every check fails); Linus never checks.
  expect((await runChecks(server.url, cookies.Grace!, 'single-stage')).status).toBe(200);
});

afterAll(async () => {
  await server?.cleanup();
});

describe('a regrade', () => {
  it('confirmed for another number of learners than the class has is refused, and runs nothing', async () => {
    const res = await regrade({ lesson: 'single-stage', learners: 3 });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'the class now has 2 learners, not 3: confirm the regrade again', field: 'learners', learners: 2 });
    expect(await rowsOfKind('regrade')).toBe(0);
    expect((await regrade({ lesson: 'single-stage', learners: -1 })).status).toBe(400);
    expect((await regrade({ lesson: 'single-stage', learners: '2' })).status).toBe(400);
    expect(await rowsOfKind('regrade')).toBe(0);
  });

  it('answers in learners: who failed, and which checks', async () => {
    const res = await regrade({ lesson: 'single-stage', learners: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { learners: number; passed: unknown[]; failed: { learner: string; rosterId: string; checks: string[] }[]; couldNotJudge: unknown[] };
    expect(body).toMatchObject({ learners: 2, passed: [], couldNotJudge: [] });
    expect(body.failed.map((f) => [f.learner, f.rosterId])).toEqual([['Grace', 'L001'], ['Linus', 'L002']]);
    expect(body.failed[0]!.checks.length).toBeGreaterThan(0);
  });

  it('is recorded, but not as the learners\' attempts: their counts stay their own', async () => {
    const graceBefore = await cell('Grace');
    expect(graceBefore.attempts).toBe(1);
    expect((await regrade({ lesson: 'single-stage' })).status).toBe(200);
    expect(await rowsOfKind('regrade')).toBeGreaterThan(0);
    expect(await cell('Grace')).toMatchObject({ attempts: 1 });
    expect(await cell('Linus')).toMatchObject({ attempts: 0 });
    const progress = (await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookies.Grace! } })).json()) as { lessons: Record<string, { attempts: number }> };
    expect(progress.lessons['single-stage']!.attempts).toBe(1);
    // Her own next check counts as her second. (That a regrade's failures leave the hints alone is in the store's unit test.)
    expect((await runChecks(server.url, cookies.Grace!, 'single-stage')).status).toBe(200);
    expect((await cell('Grace')).attempts).toBe(2);
  });
});
