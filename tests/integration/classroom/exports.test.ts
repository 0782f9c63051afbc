// The exports, as a spreadsheet or an LMS import reads them: grades.csv keeps the contract's columns
// (learner, one per lesson slug in course order, total) and adds the roster id, marks of overridden
// cells and a maximum-points row; attempts.csv marks each row as the learner's check, a regrade or an
// override, with what the learner was told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { runChecks } from '../../support/lab.ts';

let server: TestServer;
let teacher: string;
let classId: number;
const learners: Record<string, { cookie: string; id: string }> = {};

const post = (path: string, body: unknown, cookie = teacher) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

/** A quote-aware CSV reader (RFC 4180), as a spreadsheet reads the file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), cell = '');
    else if (c === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), row = [], cell = '', i++);
    else cell += c;
  }
  return rows;
}
const csv = async (file: string) => parseCsv(await (await fetch(`${server.url}/api/classes/${classId}/${file}`, { headers: { Cookie: teacher } })).text());
const byName = (rows: string[][], header: string[]) => rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }, ''));
  const created = (await (await post('/api/classes', { title: 'Exports' })).json()) as { id: number; code: string };
  classId = created.id;
  for (const name of ['Grace', 'Linus']) {
    const joined = await post('/api/join', { code: created.code, displayName: name }, '');
    learners[name] = { cookie: cookieOf(joined), id: '' };
  }
  const book = (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as { rows: { learnerId: string; displayName: string }[] };
  for (const row of book.rows) learners[row.displayName]!.id = row.learnerId;
  // Real results: no image was built, so each check fails with what was expected and a hint.
  expect((await runChecks(server.url, learners.Linus!.cookie, 'single-stage')).status).toBe(200);
  expect((await post(`/api/classes/${classId}/overrides`, { learner: learners.Linus!.id, lesson: 'single-stage', points: 2, reason: 'shown in class' })).status).toBe(201);
  expect((await post(`/api/classes/${classId}/regrade`, { lesson: 'single-stage' })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await server?.cleanup();
});

describe('grades.csv', () => {
  it('keeps the contract: learner, one column per lesson slug in course order, total; additions after it', async () => {
    const lessons = ((await (await fetch(`${server.url}/api/lessons`)).json()) as { slug: string; checks: unknown[] }[]).filter((l) => l.checks.length > 0).map((l) => l.slug);
    const [header] = await csv('grades.csv');
    expect(header).toEqual(['learner', ...lessons, 'total', 'learner_id', 'marks']);
  });

  it('has a maximum-points row, told apart by its empty learner_id, whose total is the sum', async () => {
    const [header, ...rows] = await csv('grades.csv');
    const max = byName(rows, header!).filter((r) => r.learner_id === '');
    expect(max).toHaveLength(1);
    expect(max[0]).toMatchObject({ learner: 'Points possible', 'single-stage': '3', marks: '' });
    const lessons = header!.slice(1, header!.indexOf('total'));
    expect(Number(max[0]!.total)).toBe(lessons.reduce((sum, l) => sum + Number(max[0]![l]), 0));
    expect(rows[0]).toEqual(Object.values(max[0]!)); // right after the header, where importers look for it
  });

  it('marks an overridden cell and no other; every learner row has its roster id', async () => {
    const [header, ...rows] = await csv('grades.csv');
    const learnersRows = byName(rows, header!).filter((r) => r.learner_id !== '');
    expect(learnersRows.map((r) => [r.learner, r.learner_id, r['single-stage'], r.marks])).toEqual([
      ['Grace', 'L001', '0', ''],
      ['Linus', 'L002', '2', 'single-stage: overridden'],
    ]);
  });
});

describe('attempts.csv', () => {
  it('marks the learner\'s checks, the regrade and the override, each with its facts', async () => {
    const [header, ...rows] = await csv('attempts.csv');
    expect(header!.slice(0, 8)).toEqual(['learner', 'lesson', 'check', 'status', 'points', 'max_points', 'at', 'evidence']);
    const linus = byName(rows, header!).filter((r) => r.learner === 'Linus');
    expect([...new Set(linus.map((r) => r.kind))]).toEqual(['check', 'override', 'regrade']);
    const fail = linus.find((r) => r.kind === 'check' && r.status === 'fail')!;
    expect(fail).toMatchObject({ learner_id: 'L002', lesson: 'single-stage' });
    expect(fail.expected).not.toBe('');
    expect(fail.seen).not.toBe('');
    expect(fail.hint).not.toBe('');
    expect(linus.find((r) => r.kind === 'override')).toMatchObject({ status: 'overridden', points: '2', max_points: '3', reason: 'shown in class', instructor: 'ada', check: '', evidence: '' });
    // Grace never checked: her only rows are the regrade's.
    expect(byName(rows, header!).filter((r) => r.learner === 'Grace').every((r) => r.kind === 'regrade' && r.learner_id === 'L001')).toBe(true);
    // Oldest first within a learner.
    const times = linus.map((r) => Date.parse(r.at!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
