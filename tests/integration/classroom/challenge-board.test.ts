// The course's open challenge: its board shows each class its members' smallest images that passed
// (sizes from the check's own evidence), marks the learner's own entry, and shows nothing to a
// learner in no class. A failed attempt, however small its image, is not on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks } from '../../support/lab.ts';

let server: TestServer;
const learners: { name: string; cookie: string; id: string; terminal: TerminalClient }[] = [];

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
type Boards = { boards: { check: string; classes: { classTitle: string; best: { name: string; size: number; mine: boolean }[] }[] }[] };
const board = async (cookie?: string) => (await fetch(`${server.url}/api/lessons/going-further/board`, { headers: cookie ? { Cookie: cookie } : {} })).json() as Promise<Boards>;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  const teacher = cookieOf(await post('/api/instructor/login', { name: 'ada', password: 'correct horse battery' }));
  const { code } = (await (await post('/api/classes', { title: 'Group C' }, { Cookie: teacher })).json()) as { code: string };
  for (const name of ['Grace', 'Linus']) {
    const cookie = cookieOf(await post('/api/join', { code, displayName: name }));
    const before = new Set(server.learners());
    const terminal = await openTerminal(server.url, cookie);
    learners.push({ name, cookie, id: server.learners().find((l) => !before.has(l))!, terminal });
  }
  // Grace does the challenge as the reference does; Linus fakes it with a shell loop on the runtime image.
  await copyIntoHome(learners[0]!.id, 'going-further', 'solution', 'scratch');
  await run(learners[0]!.terminal, 'cd ~/scratch && docker build -q -f Dockerfile.challenge -t hello-challenge . && echo built', 180_000);
  await run(learners[1]!.terminal, `mkdir -p ~/c && cd ~/c && printf 'FROM stagecraft/runtime\\nCMD ["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo Hello world using CMake!; done"]\\n' > Dockerfile && docker build -q -t hello-challenge . && echo built`, 120_000);
  for (const learner of learners) expect((await runChecks(server.url, learner.cookie, 'going-further')).status).toBe(200);
}, 300_000);

afterAll(async () => {
  for (const learner of learners) await learner.terminal.close();
  await server?.cleanup();
});

describe('the challenge board', () => {
  it('shows the class the passing image\'s size, marked as their own to its learner, and not the fake', async () => {
    const mine = await board(learners[0]!.cookie);
    expect(mine.boards).toHaveLength(1);
    expect(mine.boards[0]!.check).toBe('challenge');
    const [group] = mine.boards[0]!.classes;
    expect(group!.classTitle).toBe('Group C');
    expect(group!.best).toEqual([{ name: 'Grace', size: expect.any(Number), mine: true }]);
    // The size the check recorded: a static, stripped program on scratch is well under a megabyte or two.
    expect(group!.best[0]!.size).toBeGreaterThan(100_000);
    expect(group!.best[0]!.size).toBeLessThan(3_000_000);
    const theirs = await board(learners[1]!.cookie);
    expect(theirs.boards[0]!.classes[0]!.best).toEqual([{ name: 'Grace', size: group!.best[0]!.size, mine: false }]);
  });

  it('shows a learner in no class, or a visitor, no board', async () => {
    expect(await board(await sessionCookie(server.url))).toEqual({ boards: [{ check: 'challenge', classes: [] }] });
    expect(await board()).toEqual({ boards: [{ check: 'challenge', classes: [] }] });
  });

  it('has no board for a lesson without a challenge', async () => {
    expect(await (await fetch(`${server.url}/api/lessons/cmake/board`, { headers: { Cookie: learners[0]!.cookie } })).json()).toEqual({ boards: [] });
  });
});
