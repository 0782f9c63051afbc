// The roster: each entry has a short id that stays through renames and merges and is in every export;
// names are unique in a class; removing hides an entry but keeps its attempts, and restores;
// merging puts two entries' attempts under one; a closed class refuses joins, an archived one every
// change, and leaves the default list. Every refusal says what to do and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { runChecks } from '../../support/lab.ts';

let server: TestServer;
let teacher: string;
let klass: { id: number; code: string };

interface Row { learnerId: string; rosterId: string; displayName: string; lessons: Record<string, { attempts: number; points: number }> }
interface Book { class: { joiningClosed: boolean; archived: boolean }; rows: Row[]; removed: { learnerId: string; rosterId: string; displayName: string }[] }

const post = (path: string, body: unknown, cookie = teacher) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });
const get = (path: string) => fetch(`${server.url}${path}`, { headers: { Cookie: teacher } });
const book = async () => (await (await get(`/api/classes/${klass.id}/gradebook`)).json()) as Book;
const row = async (name: string) => (await book()).rows.find((r) => r.displayName === name)!;
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const join = (displayName: string, cookie = '') => post('/api/join', { code: klass.code, displayName }, cookie);
const roster = (action: string, body: unknown) => post(`/api/classes/${klass.id}/roster/${action}`, body);
const csvRows = async (file: string) => (await (await get(`/api/classes/${klass.id}/${file}`)).text()).trim().split('\r\n');

const cookies: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }, ''));
  klass = (await (await post('/api/classes', { title: 'Roster' })).json()) as { id: number; code: string };
  for (const name of ['Grace', 'Linus', 'Ken', 'Ken on the laptop']) {
    const joined = await join(name);
    expect(joined.status, name).toBe(200);
    cookies[name] = cookieOf(joined);
  }
  // Real attempts, through the check API: no image was built, so each check fails.
  for (const name of ['Ken', 'Ken on the laptop']) expect((await runChecks(server.url, cookies[name]!, 'single-stage')).status).toBe(200);
});

afterAll(async () => {
  await server?.cleanup();
});

describe('roster ids', () => {
  it('number the entries in join order, shown in the gradebook and last in both exports', async () => {
    const ids = Object.fromEntries((await book()).rows.map((r) => [r.displayName, r.rosterId]));
    expect(ids).toEqual({ Grace: 'L001', Linus: 'L002', Ken: 'L003', 'Ken on the laptop': 'L004' });
    const grades = await csvRows('grades.csv');
    expect(grades[0]).toBe('"learner","workspace","single-stage","multi-stage","why-small","cmake","going-further","total","learner_id","marks"');
    expect(grades).toContain('"Grace","0","0","0","0","0","0","0","L001",""');
    const attempts = await csvRows('attempts.csv');
    expect(attempts[0]).toContain(',"learner_id",');
    expect(attempts.filter((r) => r.startsWith('"Ken",')).every((r) => r.includes(',"L003","check",'))).toBe(true);
  });
});

describe('display names', () => {
  it('a name taken in the class is refused at join, in any case, saying what to do', async () => {
    const res = await join('  grace ');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      code: 'name_taken', field: 'displayName',
      error: 'someone in this class is already called "grace": add your last initial or a number (for example "grace B."); if that is you on another device, use your resume code instead',
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await book()).rows).toHaveLength(4);
  });

  it('a learner joining again under their own name keeps their entry and id', async () => {
    expect((await join('Grace', cookies.Grace)).status).toBe(200);
    expect((await row('Grace')).rosterId).toBe('L001');
  });

  it('renaming keeps the id; to a taken name is refused beside the field, and changes nothing', async () => {
    const linus = await row('Linus');
    const taken = await roster('rename', { learner: linus.learnerId, displayName: 'GRACE' });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ field: 'displayName', error: 'another learner in this class is already called "GRACE": choose another name, or merge the two entries if they are the same person' });
    expect((await roster('rename', { learner: linus.learnerId, displayName: '  ' })).status).toBe(400);
    expect(await row('Linus')).toEqual(linus);
    expect((await roster('rename', { learner: linus.learnerId, displayName: 'Linus T.' })).status).toBe(200);
    expect(await row('Linus T.')).toMatchObject({ learnerId: linus.learnerId, rosterId: 'L002' });
  });
});

describe('remove and restore', () => {
  it('hides the entry, keeps its attempts, frees no id, and restores it as it was', async () => {
    const ken = await row('Ken');
    expect(ken.lessons['single-stage']!.attempts).toBe(1);
    expect((await roster('remove', { learner: ken.learnerId })).status).toBe(200);
    const after = await book();
    expect(after.rows.map((r) => r.displayName)).not.toContain('Ken');
    expect(after.removed).toEqual([{ learnerId: ken.learnerId, rosterId: 'L003', displayName: 'Ken', removedAt: expect.any(Number) }]);
    expect((await csvRows('grades.csv')).some((r) => r.startsWith('"Ken",'))).toBe(false);
    // Removed: no override, no second removal; their own rejoin is refused with what to do.
    expect((await post(`/api/classes/${klass.id}/overrides`, { learner: ken.learnerId, lesson: 'single-stage', points: 1, reason: 'x' })).status).toBe(404);
    expect((await roster('remove', { learner: ken.learnerId })).status).toBe(404);
    const rejoin = await join('Ken', cookies.Ken);
    expect(rejoin.status).toBe(403);
    expect(await rejoin.json()).toMatchObject({ error: 'your instructor removed you from this class: ask them to restore you' });
    // The attempts are still there: restored, the cell is as before.
    expect((await roster('restore', { learner: ken.learnerId })).status).toBe(200);
    expect(await row('Ken')).toEqual(ken);
    expect((await book()).removed).toEqual([]);
  });

  it('restoring under a name someone took meanwhile is refused until one is renamed', async () => {
    const ken = await row('Ken');
    expect((await roster('remove', { learner: ken.learnerId })).status).toBe(200);
    const newKen = await join('Ken');
    expect(newKen.status).toBe(200);
    const refused = await roster('restore', { learner: ken.learnerId });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: 'another learner in this class is now called "Ken": rename one of them first' });
    expect((await book()).removed).toHaveLength(1);
    const other = (await book()).rows.find((r) => r.displayName === 'Ken')!;
    expect(other.rosterId).toBe('L005'); // a new entry, never a removed one's id
    expect((await roster('rename', { learner: other.learnerId, displayName: 'Ken (new)' })).status).toBe(200);
    expect((await roster('restore', { learner: ken.learnerId })).status).toBe(200);
  });
});

describe('merge', () => {
  it('puts both entries\' attempts under the one kept; the other leaves the grid and the exports', async () => {
    const keep = await row('Ken');
    const other = await row('Ken on the laptop');
    const count = (rows: string[], name: string) => rows.filter((r) => r.startsWith(`"${name}","single-stage"`)).length;
    const before = await csvRows('attempts.csv');
    expect(count(before, 'Ken on the laptop')).toBeGreaterThan(0);
    expect((await roster('merge', { learner: other.learnerId, into: other.learnerId })).status).toBe(400);
    expect((await roster('merge', { learner: other.learnerId, into: 'ffffffffffffffffffff' })).status).toBe(404);
    expect((await roster('merge', { learner: other.learnerId, into: keep.learnerId })).status).toBe(200);
    const rows = (await book()).rows;
    expect(rows.map((r) => r.displayName)).not.toContain('Ken on the laptop');
    expect(rows.find((r) => r.learnerId === keep.learnerId)).toMatchObject({ rosterId: 'L003', lessons: { 'single-stage': { attempts: 2 } } });
    const attempts = await csvRows('attempts.csv');
    expect(count(attempts, 'Ken')).toBe(count(before, 'Ken') + count(before, 'Ken on the laptop'));
    expect(count(attempts, 'Ken on the laptop')).toBe(0);
    const drill = (await (await get(`/api/classes/${klass.id}/learners/${keep.learnerId}/attempts`)).json()) as { attempts: { learnerId: string }[] };
    expect(new Set(drill.attempts.map((a) => a.learnerId))).toEqual(new Set([keep.learnerId, other.learnerId]));
    // The merged learner's next check lands in the kept entry.
    expect((await runChecks(server.url, cookies['Ken on the laptop']!, 'single-stage')).status).toBe(200);
    expect((await row('Ken')).lessons['single-stage']!.attempts).toBe(3);
  });
});

describe('joining', () => {
  it('a closed class refuses joins with a clear message, and takes them again once reopened', async () => {
    expect(await (await post(`/api/classes/${klass.id}/joining`, { open: false })).json()).toEqual({ joiningClosed: true });
    expect((await book()).class.joiningClosed).toBe(true);
    const refused = await join('Margaret');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'this class is closed to joining: ask your instructor to reopen it' });
    expect((await book()).rows.map((r) => r.displayName)).not.toContain('Margaret');
    expect((await post(`/api/classes/${klass.id}/joining`, { open: 'no' })).status).toBe(400);
    expect((await post(`/api/classes/${klass.id}/joining`, { open: true })).status).toBe(200);
    expect((await join('Margaret')).status).toBe(200);
  });
});

describe('archive', () => {
  it('makes the class read-only and hides it from the default list, until unarchived', async () => {
    const grace = await row('Grace');
    expect((await post(`/api/classes/${klass.id}/archive`, { archived: true })).status).toBe(200);
    const listed = async (query = '') => ((await (await get(`/api/classes${query}`)).json()) as { id: number }[]).map((c) => c.id);
    expect(await listed()).not.toContain(klass.id);
    expect(await listed('?archived=1')).toContain(klass.id);
    const before = await book();
    expect(before.class.archived).toBe(true);
    const refusals = [
      await post(`/api/classes/${klass.id}/overrides`, { learner: grace.learnerId, lesson: 'single-stage', points: 1, reason: 'x' }),
      await post(`/api/classes/${klass.id}/comments`, { learner: grace.learnerId, lesson: 'single-stage', text: 'x' }),
      await post(`/api/classes/${klass.id}/regrade`, { lesson: 'single-stage' }),
      await roster('rename', { learner: grace.learnerId, displayName: 'G' }),
      await roster('remove', { learner: grace.learnerId }),
      await post(`/api/classes/${klass.id}/joining`, { open: false }),
    ];
    for (const res of refusals) {
      expect(res.status, res.url).toBe(409);
      expect(await res.json()).toMatchObject({ error: 'this class is archived, so it is read-only: unarchive it first' });
    }
    const joined = await join('Barbara');
    expect(joined.status).toBe(409);
    expect(await joined.json()).toMatchObject({ error: 'this class is archived and takes no more learners: ask your instructor' });
    expect(await book()).toEqual(before);
    expect((await get(`/api/classes/${klass.id}/grades.csv`)).status).toBe(200);
    expect((await post(`/api/classes/${klass.id}/archive`, { archived: false })).status).toBe(200);
    expect(await listed()).toContain(klass.id);
    expect((await roster('rename', { learner: grace.learnerId, displayName: 'Grace H.' })).status).toBe(200);
  });

  it('roster changes are the class instructor\'s only', async () => {
    const before = await book();
    const grace = await row('Grace H.');
    for (const action of ['remove', 'rename', 'merge']) {
      expect((await post(`/api/classes/${klass.id}/roster/${action}`, { learner: grace.learnerId, displayName: 'x', into: grace.learnerId }, cookies.Grace!)).status).toBe(401);
    }
    expect(await book()).toEqual(before);
  });
});
