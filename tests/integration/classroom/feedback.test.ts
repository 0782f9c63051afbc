// Feedback reaches learners, and only them: the instructor's latest comment on a cell shows on that
// learner's course page (/api/progress) and lesson page (the events stream's first event), labelled
// with the instructor's name; another learner, a visitor and another class see nothing of it. And the
// gradebook is live for joins: an open gradebook hears of a learner the moment they join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { firstEvent, openEvents } from '../../support/events.ts';

let server: TestServer;
let teacher: string;
let classId: number;
let joinCode: string;
const cookies: Record<string, string> = {};

const post = (path: string, body: unknown, cookie: string) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
type Book = { rows: { learnerId: string; displayName: string }[] };
const gradebook = async () => (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as Book;
type Progress = { lessons: Record<string, unknown>; comments: Record<string, { text: string; instructor: string }> };
const progressOf = async (cookie: string) => (await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookie } })).json()) as Progress;
const join = async (code: string, displayName: string) => {
  const joined = await post('/api/join', { code, displayName }, '');
  expect(joined.status).toBe(200);
  return cookieOf(joined);
};

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }, ''));
  ({ id: classId, code: joinCode } = (await (await post('/api/classes', { title: 'Feedback' }, teacher)).json()) as { id: number; code: string });
  for (const name of ['Grace', 'Alan']) cookies[name] = await join(joinCode, name);
});

afterAll(async () => {
  await server?.cleanup();
});

describe('an instructor\'s comment', () => {
  it('shows the latest on its learner\'s course page, with who wrote it, and makes no progress of its own', async () => {
    const grace = (await gradebook()).rows.find((r) => r.displayName === 'Grace')!.learnerId;
    for (const text of ['first note', 'Try COPY --from=build']) {
      expect((await post(`/api/classes/${classId}/comments`, { learner: grace, lesson: 'single-stage', text }, teacher)).status).toBe(201);
    }
    const progress = await progressOf(cookies.Grace!);
    expect(progress.comments).toEqual({ 'single-stage': { text: 'Try COPY --from=build', instructor: 'ada', createdAt: expect.any(Number) } });
    expect(progress.lessons['single-stage']).toBeUndefined();
  });

  it('shows on its learner\'s lesson page, and not on another lesson\'s', async () => {
    const latest = JSON.parse((await firstEvent(`${server.url}/api/lessons/single-stage/events`, cookies.Grace!)).data) as { comment?: unknown };
    expect(latest.comment).toMatchObject({ text: 'Try COPY --from=build', instructor: 'ada' });
    const other = JSON.parse((await firstEvent(`${server.url}/api/lessons/multi-stage/events`, cookies.Grace!)).data) as { comment?: unknown };
    expect(other.comment).toBeUndefined();
  });

  it('is seen by nobody else: another learner of the class, a visitor, a learner of another class', async () => {
    expect((await progressOf(cookies.Alan!)).comments).toEqual({});
    expect(await progressOf('')).toEqual({ lessons: {}, comments: {} });
    const { code } = (await (await post('/api/classes', { title: 'Other' }, teacher)).json()) as { code: string };
    expect((await progressOf(await join(code, 'Grace'))).comments).toEqual({});
    const alanLatest = JSON.parse((await firstEvent(`${server.url}/api/lessons/single-stage/events`, cookies.Alan!)).data) as { comment?: unknown };
    expect(alanLatest.comment).toBeUndefined();
  });
});

describe('a live gradebook', () => {
  it('hears of a learner as they join, before any check of theirs', async () => {
    const events = await openEvents(`${server.url}/api/classes/${classId}/events`, teacher);
    try {
      await join(joinCode, 'Barbara');
      expect((await events.next('grades')).event).toBe('grades');
      expect((await gradebook()).rows.map((r) => r.displayName)).toContain('Barbara');
    } finally {
      events.close();
    }
  });
});
