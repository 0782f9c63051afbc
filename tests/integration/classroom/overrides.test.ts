// The forms of a gradebook cell. Overrides: a blank reason (or impossible points) is refused with a
// sentence naming the field, and changes nothing; a right one is kept with its reason. Comments: a
// note on the cell, shown to its learner too, never points; a blank one is refused the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
let teacher: string;
let classId: number;
let learnerId: string;
let learnerCookie: string;

const post = (path: string, body: unknown, cookie: string) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(body) });
const get = async <T>(path: string) => (await (await fetch(`${server.url}${path}`, { headers: { Cookie: teacher } })).json()) as T;
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const cell = async () => (await get<{ rows: { lessons: Record<string, { status: string; points: number; override?: unknown; comment?: { text: string; instructor: string } }> }[] }>(`/api/classes/${classId}/gradebook`)).rows[0]!.lessons['single-stage']!;
const overrides = async () => (await get<{ overrides: unknown[] }>(`/api/classes/${classId}/learners/${learnerId}/attempts`)).overrides;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }, ''));
  const created = (await (await post('/api/classes', { title: 'Overrides' }, teacher)).json()) as { id: number; code: string };
  classId = created.id;
  const joined = await post('/api/join', { code: created.code, displayName: 'Grace' }, '');
  expect(joined.status).toBe(200);
  learnerCookie = cookieOf(joined);
  learnerId = (await get<{ rows: { learnerId: string }[] }>(`/api/classes/${classId}/gradebook`)).rows[0]!.learnerId;
});

afterAll(async () => {
  await server?.cleanup();
});

describe('an override', () => {
  it.each(['', '   ', ' \n\t '])('with the blank reason %j is refused, says why beside the reason, and changes nothing', async (reason) => {
    const before = await cell();
    const res = await post(`/api/classes/${classId}/overrides`, { learner: learnerId, lesson: 'single-stage', points: 2, reason }, teacher);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'a reason is needed: write why the points change; it stays in the audit trail', field: 'reason' });
    expect(await cell()).toEqual(before);
    expect(await overrides()).toEqual([]);
  });

  it('with points over the lesson\'s is refused with its range, and changes nothing', async () => {
    const res = await post(`/api/classes/${classId}/overrides`, { learner: learnerId, lesson: 'single-stage', points: 4, reason: 'generous' }, teacher);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'points must be a whole number from 0 to 3' });
    expect(await overrides()).toEqual([]);
  });

  it('with a reason is kept, trimmed, and wins', async () => {
    const res = await post(`/api/classes/${classId}/overrides`, { learner: learnerId, lesson: 'single-stage', points: 2, reason: '  shown in class  ' }, teacher);
    expect(res.status).toBe(201);
    expect(await cell()).toMatchObject({ status: 'overridden', points: 2, override: { reason: 'shown in class' } });
    expect(await overrides()).toHaveLength(1);
  });
});

describe('a comment', () => {
  it.each(['', '  \n '])('that is blank (%j) is refused beside its field, and changes nothing', async (text) => {
    const before = await cell();
    const res = await post(`/api/classes/${classId}/comments`, { learner: learnerId, lesson: 'single-stage', text }, teacher);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'a comment is needed: write it, or press Cancel', field: 'text' });
    expect(await cell()).toEqual(before);
  });

  it('is refused when too long, to a learner, and for someone not in the class', async () => {
    expect(await (await post(`/api/classes/${classId}/comments`, { learner: learnerId, lesson: 'single-stage', text: 'x'.repeat(1001) }, teacher)).json())
      .toEqual({ error: 'a comment is at most 1000 characters', field: 'text' });
    expect((await post(`/api/classes/${classId}/comments`, { learner: learnerId, lesson: 'single-stage', text: 'mine' }, learnerCookie)).status).toBe(401);
    expect((await post(`/api/classes/${classId}/comments`, { learner: 'ffffffffffffffffffff', lesson: 'single-stage', text: 'who?' }, teacher)).status).toBe(404);
    expect((await post(`/api/classes/${classId}/comments`, { learner: learnerId, lesson: 'no-such-lesson', text: 'where?' }, teacher)).status).toBe(400);
    expect((await cell()).comment).toBeUndefined();
  });

  it('is kept on the cell (the latest shows), changes no points, and reaches the learner (feedback.test.ts: them alone)', async () => {
    const before = await cell();
    for (const text of ['first note', '  helped with COPY --from  ']) {
      expect((await post(`/api/classes/${classId}/comments`, { learner: learnerId, lesson: 'single-stage', text }, teacher)).status).toBe(201);
    }
    const after = await cell();
    expect(after.comment).toMatchObject({ text: 'helped with COPY --from', instructor: 'ada' });
    expect({ ...after, comment: undefined }).toEqual({ ...before, comment: undefined });
    const progress = (await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: learnerCookie } })).json()) as { comments: Record<string, { text: string }> };
    expect(progress.comments['single-stage']).toMatchObject({ text: 'helped with COPY --from' });
  });
});
