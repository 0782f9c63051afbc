// A class on the real server: an instructor signs in and creates a class, two learners join and
// take the single-stage lesson (one right, one wrong), the gradebook and CSV show it, an override
// wins and keeps the automatic result beside it; and nobody reaches what is not theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import WebSocket from 'ws';
import { openTerminal, TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks } from '../../support/lab.ts';
import { firstEvent } from '../../support/events.ts';

let server: TestServer;
let teacher: string;
let classId: number;
let joinCode: string;
const learners: { cookie: string; id: string; terminal: TerminalClient; resumeCode: string }[] = [];

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  const login = await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' });
  expect(login.status).toBe(200);
  teacher = cookieOf(login);
  const created = await post('/api/classes', { title: 'Docker lab, group B' }, { Cookie: teacher });
  expect(created.status).toBe(201);
  ({ id: classId, code: joinCode } = (await created.json()) as { id: number; code: string });
  for (const displayName of ['Grace', '=HYPERLINK("http://x","y")']) {
    const joined = await post('/api/join', { code: joinCode.toLowerCase(), displayName });
    expect(joined.status).toBe(200);
    const cookie = cookieOf(joined);
    const { resumeCode } = (await joined.json()) as { resumeCode: string };
    const before = new Set(server.learners());
    const terminal = await openTerminal(server.url, cookie);
    const id = server.learners().find((l) => !before.has(l))!;
    learners.push({ cookie, id, terminal, resumeCode });
  }
  // Grace does the lesson right; the second learner's program prints the wrong text.
  await copyIntoHome(learners[0]!.id, 'single-stage', 'solution', 'hello');
  await run(learners[0]!.terminal, 'cd ~/hello && bash commands.sh', 120_000);
  await copyIntoHome(learners[1]!.id, 'single-stage', 'solution', 'hello');
  await run(learners[1]!.terminal, "cd ~/hello && sed -i 's/Hello, world!/Hi/' hello.c && bash commands.sh", 120_000);
  for (const learner of learners) expect((await runChecks(server.url, learner.cookie, 'single-stage')).status).toBe(200);
}, 240_000);

afterAll(async () => {
  for (const learner of learners) await learner.terminal.close();
  await server?.cleanup();
});

describe('gradebook', () => {
  it('shows each learner × lesson with status, points and attempts', async () => {
    const book = (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as {
      rows: { displayName: string; lessons: Record<string, { status: string; points: number; attempts: number }>; total: number }[];
    };
    const grace = book.rows.find((r) => r.displayName === 'Grace')!;
    expect(grace.lessons['single-stage']).toMatchObject({ status: 'passed', points: 3, attempts: 1 });
    const other = book.rows.find((r) => r.displayName !== 'Grace')!;
    expect(other.lessons['single-stage']).toMatchObject({ status: 'started', points: 1 });
    expect(other.lessons['multi-stage']).toMatchObject({ status: 'not-started', points: 0 });
  });

  it('an override wins, keeps the automatic points and the reason, and the CSV holds the right values', async () => {
    const other = learners[1]!;
    const res = await post(`/api/classes/${classId}/overrides`, { learner: other.id, lesson: 'single-stage', points: 2, reason: 'output typo, work otherwise right' }, { Cookie: teacher });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ lessons: { 'single-stage': { status: 'overridden', points: 2, autoPoints: 1, override: { reason: 'output typo, work otherwise right', instructor: 'ada' } } } });
    const csv = await (await fetch(`${server.url}/api/classes/${classId}/grades.csv`, { headers: { Cookie: teacher } })).text();
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe('"learner","workspace","single-stage","multi-stage","why-small","cmake","going-further","total","learner_id","marks"');
    expect(rows).toContain('"Grace","0","3","0","0","0","0","3","L001",""');
    // A display name that is a formula is neutralised, so a spreadsheet shows it as text.
    expect(rows).toContain(`"'=HYPERLINK(""http://x"",""y"")","0","2","0","0","0","0","2","L002","single-stage: overridden"`);
  });

  it('drills down to every attempt of one learner, with its evidence and the overrides', async () => {
    const res = await fetch(`${server.url}/api/classes/${classId}/learners/${learners[1]!.id}/attempts`, { headers: { Cookie: teacher } });
    const body = (await res.json()) as { attempts: { checkId: string; status: string; evidence: Record<string, unknown> }[]; overrides: { reason: string }[] };
    expect(body.attempts.find((a) => a.checkId === 'image-runs')).toMatchObject({ status: 'fail', evidence: { output: 'Hi\n', exitCode: 0 } });
    expect(body.overrides.map((o) => o.reason)).toEqual(['output typo, work otherwise right']);
    expect((await fetch(`${server.url}/api/classes/${classId}/learners/ffffffffffffffffffff/attempts`, { headers: { Cookie: teacher } })).status).toBe(404);
    expect((await fetch(`${server.url}/api/classes/${classId}/learners/${learners[1]!.id}/attempts`, { headers: { Cookie: learners[1]!.cookie } })).status).toBe(401);
  });

  it('keeps a snapshot with each attempt: what the learner was told, and the Dockerfile and log of the build that made the image', async () => {
    const res = await fetch(`${server.url}/api/classes/${classId}/learners/${learners[1]!.id}/attempts`, { headers: { Cookie: teacher } });
    const body = (await res.json()) as { attempts: { checkId: string; evidence: Record<string, unknown>; detail: Record<string, string> }[]; builds: Record<string, { dockerfileName: string; dockerfile: string; log: string } | null> };
    const runs = body.attempts.find((a) => a.checkId === 'image-runs')!;
    expect(runs.detail).toMatchObject({ expected: 'output exactly "Hello, world!"', seen: 'Hi\n' });
    const build = body.builds[runs.evidence.imageId as string]!;
    expect(build).toMatchObject({ dockerfileName: 'Dockerfile' });
    expect(build.dockerfile).toMatch(/RUN gcc/);
    expect(build.log).toMatch(/Successfully built/);
  });

  it('one truth for the learner: their progress and their lesson page show the override and its reason', async () => {
    const progress = (await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: learners[1]!.cookie } })).json()) as { lessons: Record<string, { points: number; override?: { reason: string } }> };
    const book = (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as { rows: { learnerId: string; lessons: Record<string, { points: number }> }[] };
    const cell = book.rows.find((r) => r.learnerId === learners[1]!.id)!.lessons['single-stage']!;
    expect(progress.lessons['single-stage']).toMatchObject({ points: cell.points, override: { reason: 'output typo, work otherwise right' } });
    const latest = await firstEvent(`${server.url}/api/lessons/single-stage/events`, learners[1]!.cookie);
    expect(latest.event).toBe('latest');
    const data = JSON.parse(latest.data) as { results: { id: string; status: string; seen?: string }[]; override?: { points: number; reason: string } };
    expect(data.results.find((r) => r.id === 'image-runs')).toMatchObject({ status: 'fail', seen: 'Hi\n' });
    expect(data.override).toMatchObject({ points: cell.points, reason: 'output typo, work otherwise right' });
  });

  it('exports every attempt with its evidence', async () => {
    const csv = await (await fetch(`${server.url}/api/classes/${classId}/attempts.csv`, { headers: { Cookie: teacher } })).text();
    expect(csv.split('\r\n')[0]).toBe('"learner","lesson","check","status","points","max_points","at","evidence","learner_id","kind","expected","seen","hint","cause","reason","instructor"');
    expect(csv).toContain('"Grace","single-stage","image-runs","pass","2","2",');
    // The same writer as grades.csv: the formula name is neutralised here too.
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")","single-stage",`);
  });

  it('rejects an override without a reason, or with impossible points', async () => {
    for (const body of [{ points: 2, reason: '' }, { points: 99, reason: 'x' }, { points: -1, reason: 'x' }, { points: 1.5, reason: 'x' }]) {
      expect((await post(`/api/classes/${classId}/overrides`, { learner: learners[1]!.id, lesson: 'single-stage', ...body }, { Cookie: teacher })).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('regrade', () => {
  it('says in learners who passed and who failed, and leaves the learners\' own attempt counts alone', async () => {
    const attempts = async () => (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json() as { rows: { lessons: Record<string, { attempts: number }> }[] })
      .rows.map((r) => r.lessons['single-stage']!.attempts);
    const before = await attempts();
    const res = await post(`/api/classes/${classId}/regrade`, { lesson: 'single-stage', learners: 2 }, { Cookie: teacher });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as { passed: unknown[]; failed: { rosterId: string; checks: string[] }[]; couldNotJudge: unknown[] };
    expect(summary.passed).toEqual([{ learner: 'Grace', rosterId: 'L001' }]);
    expect(summary.failed).toEqual([{ learner: '=HYPERLINK("http://x","y")', rosterId: 'L002', checks: ['image-runs'] }]);
    expect(summary.couldNotJudge).toEqual([]);
    expect(await attempts()).toEqual(before);
  });

  it('re-runs a lesson for the whole class; a reaped image is an error, never a fail, and the pass stands', async () => {
    await run(learners[0]!.terminal, 'docker image rm hello-world > /dev/null');
    const res = await post(`/api/classes/${classId}/regrade`, { lesson: 'single-stage' }, { Cookie: teacher });
    expect(res.status).toBe(200);
    // Could not judge, with the recorded cause: the runner's fact that the image is gone, not its words.
    expect(await res.json()).toMatchObject({ learners: 2, results: { error: 2 }, couldNotJudge: [{ learner: 'Grace', rosterId: 'L001', causes: ['image_gone'] }] });
    const book = (await (await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: teacher } })).json()) as {
      rows: { displayName: string; lessons: Record<string, { status: string; points: number }> }[];
    };
    expect(book.rows.find((r) => r.displayName === 'Grace')!.lessons['single-stage']).toMatchObject({ status: 'passed', points: 3 });
  });

  it('is refused for a lesson without checks, and to a learner', async () => {
    expect((await post(`/api/classes/${classId}/regrade`, { lesson: 'no-such-lesson' }, { Cookie: teacher })).status).toBe(400);
    expect((await post(`/api/classes/${classId}/regrade`, { lesson: 'single-stage' }, { Cookie: learners[0]!.cookie })).status).toBe(401);
  });
});

describe('live view', () => {
  const watch = (cookie: string, learner: string) => new TerminalClient(server.url.replace(/\/$/, ''), { cookie, path: `/ws/watch?class=${classId}&learner=${learner}` });

  it('shows the instructor what the learner types, read-only, and tells the learner', async () => {
    const grace = learners[0]!;
    const viewer = watch(teacher, grace.id);
    await viewer.opened();
    await expect.poll(() => grace.terminal.frames).toContainEqual({ type: 'notice', message: expect.stringContaining('instructor is now watching') });
    await run(grace.terminal, 'echo seen-by-$((40+2))');
    await viewer.waitFor('seen-by-42');
    viewer.type('rm -rf ~\r');
    expect(await viewer.closed()).toBe(1008);
    expect(await run(grace.terminal, 'ls ~/hello/hello.c')).toContain('hello.c');
  });

  it('tells a learner who reloads that they are still watched, for as long as any watch is open', async () => {
    const grace = learners[0]!;
    const notices = (t: TerminalClient, pattern: RegExp) => t.frames.filter((f) => (f as { type?: string }).type === 'notice' && pattern.test((f as { message: string }).message));
    const [first, second] = [watch(teacher, grace.id), watch(teacher, grace.id)];
    await Promise.all([first.opened(), second.opened()]);
    const reload = async () => {
      grace.terminal = await openTerminal(server.url, grace.cookie);
      await grace.terminal.roundTrip(); // what the server sent on attach has arrived
      return grace.terminal;
    };
    expect(notices(await reload(), /instructor is now watching/)).toHaveLength(1);
    await first.close();
    expect(notices(await reload(), /instructor is now watching/)).toHaveLength(1); // the second watch is still open
    await second.close();
    await expect.poll(() => notices(grace.terminal, /stopped watching/).length).toBeGreaterThan(0);
    expect(notices(await reload(), /watching/)).toEqual([]);
  });

  it('is refused to a learner, to another class, and to a learner not in the class', async () => {
    const status = (cookie: string, query: string) => new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws/watch?${query}`, { headers: { Origin: server.url, Cookie: cookie } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => { socket.close(); resolve(101); });
      socket.on('error', () => undefined); // the status is what we assert
    });
    expect(await status(learners[1]!.cookie, `class=${classId}&learner=${learners[0]!.id}`)).toBe(403);
    expect(await status(teacher, `class=${classId + 1}&learner=${learners[0]!.id}`)).toBe(403);
    expect(await status(teacher, `class=${classId}&learner=ffffffffffffffffffff`)).toBe(403);
  });
});

describe('who can reach what', () => {
  it('a learner reaches no instructor endpoint', async () => {
    const cookie = learners[0]!.cookie;
    expect((await fetch(`${server.url}/api/classes`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/classes/${classId}/gradebook`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/classes/${classId}/grades.csv`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await post(`/api/classes/${classId}/overrides`, { learner: learners[0]!.id, lesson: 'single-stage', points: 3, reason: 'me' }, { Cookie: cookie })).status).toBe(401);
  });

  it('another instructor sees none of this class', async () => {
    const store = (await import('../../../server/store/index.ts')).openStore(`${server.dataDir}/stagecraft.db`);
    store.ensureInstructor('bob', 'another long password');
    store.close();
    const bob = cookieOf(await post('/api/instructor/login', { name: 'bob', password: 'another long password' }));
    expect(await (await fetch(`${server.url}/api/classes`, { headers: { Cookie: bob } })).json()).toEqual([]);
    for (const view of ['gradebook', 'grades.csv', 'attempts.csv']) {
      expect((await fetch(`${server.url}/api/classes/${classId}/${view}`, { headers: { Cookie: bob } })).status).toBe(404);
    }
  });

  it('a POST from another site is refused', async () => {
    const res = await fetch(`${server.url}/api/classes`, { method: 'POST', headers: { Cookie: teacher, Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: '{"title":"x"}' });
    expect(res.status).toBe(403);
  });

  it('a resume code brings a learner back to their own work after clearing cookies', async () => {
    // As typed from paper: any case, spaces or nothing between the groups.
    const code = learners[0]!.resumeCode;
    for (const typed of [code.replaceAll('-', ''), code.toLowerCase().replaceAll('-', ' ')]) expect((await post('/api/resume', { resumeCode: typed })).status, typed).toBe(200);
    const res = await post('/api/resume', { resumeCode: code.toLowerCase() });
    expect(res.status).toBe(200);
    const progress = await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookieOf(res) } })).json();
    expect(progress).toMatchObject({ lessons: { 'single-stage': { status: 'passed' } } });
  });

  it('join codes cannot be brute-forced past the rate limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post('/api/join', { code: `ZZZZZZ${String(i).padStart(2, '0')}`, displayName: 'guess' })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
  });

  it('sign-in is rate-limited too, and a wrong password says nothing about the name', async () => {
    const wrongName = await post('/api/instructor/login', { name: 'nobody', password: 'x' });
    const wrongPassword = await post('/api/instructor/login', { name: 'ada', password: 'x' });
    expect([wrongName.status, wrongPassword.status]).toEqual([401, 401]);
    expect(await wrongName.text()).toBe(await wrongPassword.text());
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post('/api/instructor/login', { name: 'ada', password: `guess ${i}` })).status);
    expect(statuses).toContain(429);
  });
});
