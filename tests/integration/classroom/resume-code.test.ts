// Resume codes: accepted as a person types them (any case, dashes, spaces or nothing between the
// groups), shown again to their own learner only (GET /api/my-classes, the course page's box), and
// kept sealed in the database, never as text.
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
let teacher: string;
let joinCode: string;
const learners: { cookie: string; resumeCode: string }[] = [];

const post = (path: string, body: unknown, cookie = '') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const myClasses = async (cookie: string) =>
  ((await (await fetch(`${server.url}/api/my-classes`, { headers: cookie ? { Cookie: cookie } : {} })).json()) as { classes: { classTitle: string; displayName: string; resumeCode: string | null }[] }).classes;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }));
  joinCode = ((await (await post('/api/classes', { title: 'Docker lab, group C' }, teacher)).json()) as { code: string }).code;
  for (const displayName of ['Grace', 'Linus']) {
    const joined = await post('/api/join', { code: joinCode, displayName });
    expect(joined.status).toBe(200);
    learners.push({ cookie: cookieOf(joined), resumeCode: ((await joined.json()) as { resumeCode: string }).resumeCode });
  }
});

afterAll(async () => {
  await server?.cleanup();
});

describe('a resume code', () => {
  it('is shown again to its own learner, and to nobody else', async () => {
    const [grace, linus] = learners;
    expect(await myClasses(grace!.cookie)).toEqual([{ classTitle: 'Docker lab, group C', displayName: 'Grace', joinedAt: expect.any(Number), resumeCode: grace!.resumeCode }]);
    expect((await myClasses(linus!.cookie)).map((c) => c.resumeCode)).toEqual([linus!.resumeCode]);
    expect(await myClasses('')).toEqual([]);
    expect(await myClasses(teacher)).toEqual([]);
  });

  it.each([
    ['upper case, no separators', (c: string) => c.replaceAll('-', '')],
    ['lower case with spaces', (c: string) => c.toLowerCase().replaceAll('-', ' ')],
    ['lower case with dashes', (c: string) => c.toLowerCase()],
    ['spaced dashes and padding', (c: string) => ` ${c.toLowerCase().replaceAll('-', ' - ')} `],
  ])('is accepted %s, and the new session sees the same code', async (_how, typed) => {
    const grace = learners[0]!;
    const res = await post('/api/resume', { resumeCode: typed(grace.resumeCode) });
    expect(res.status, typed(grace.resumeCode)).toBe(200);
    expect((await myClasses(cookieOf(res))).map((c) => [c.displayName, c.resumeCode])).toEqual([['Grace', grace.resumeCode]]);
  });

  it('one character wrong is refused and starts no session', async () => {
    const code = learners[0]!.resumeCode;
    const wrong = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    const res = await post('/api/resume', { resumeCode: wrong });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'this resume code is not known' });
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('is stored sealed: the database holds no member\'s code as text', () => {
    const db = new DatabaseSync(`${server.dataDir}/stagecraft.db`, { readOnly: true });
    const rows = db.prepare('SELECT * FROM class_members').all();
    db.close();
    const stored = JSON.stringify(rows);
    for (const { resumeCode } of learners) {
      expect(stored).not.toContain(resumeCode);
      expect(stored).not.toContain(resumeCode.replaceAll('-', ''));
    }
    expect(rows.every((r) => typeof r.resume_code_sealed === 'string')).toBe(true);
  });

  it('joining again (a new name) gives a new code, shown from then on; the old one no longer resumes', async () => {
    const linus = learners[1]!;
    const again = await post('/api/join', { code: joinCode, displayName: 'Linus T.' }, linus.cookie);
    const { resumeCode } = (await again.json()) as { resumeCode: string };
    expect(resumeCode).not.toBe(linus.resumeCode);
    expect((await myClasses(linus.cookie)).map((c) => [c.displayName, c.resumeCode])).toEqual([['Linus T.', resumeCode]]);
    expect((await post('/api/resume', { resumeCode: linus.resumeCode })).status).toBe(404);
  });
});
