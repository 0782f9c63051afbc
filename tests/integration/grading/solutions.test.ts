// Every lesson's reference solution, typed into a real workspace, passes every one of its checks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks, saveMeasuredFigures, statuses } from '../../support/lab.ts';
import { loadLessons, type LessonLab } from '../../../server/grading/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let server: TestServer;
let terminal: TerminalClient;
let cookie: string;
let learner: string;
const labs: LessonLab[] = [...(await loadLessons(ROOT)).values()];
const workdirOf = async (slug: string) => ((await import(path.join(ROOT, 'lessons', slug, 'checks.ts'))).default as { workdir: string }).workdir;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await sessionCookie(server.url);
  terminal = await openTerminal(server.url, cookie);
  [learner] = server.learners();
});

afterAll(async () => {
  await terminal?.close();
  await server?.cleanup();
});

describe('reference solutions', () => {
  it('exist for every lesson with checks', () => {
    expect(labs.length).toBeGreaterThan(0);
    for (const lab of labs) expect(fs.existsSync(path.join(ROOT, 'lessons', lab.slug, 'solution', 'commands.sh')), lab.slug).toBe(true);
  });

  for (const lab of labs) {
    it(`${lab.slug}: the solution passes every check`, async () => {
      const workdir = await workdirOf(lab.slug);
      await copyIntoHome(learner!, lab.slug, 'solution', workdir);
      // The learner's own shell runs the commands they would type, from the lab's folder.
      await run(terminal, `cd ~/${workdir} && bash commands.sh`, 180_000);
      // And the figures the lesson asks for, measured as it says.
      await saveMeasuredFigures(server.url, cookie, terminal, lab.slug, lab.checks);
      const started = Date.now();
      const { status, results } = await runChecks(server.url, cookie, lab.slug);
      console.log(`grading: ${lab.slug} checks took ${Date.now() - started} ms`);
      expect(status).toBe(200);
      expect(statuses(results), JSON.stringify(results.filter((r) => r.status !== 'pass'), null, 1)).toEqual(Object.fromEntries(lab.checks.map((c) => [c.id, 'pass'])));
      expect(results.reduce((sum, r) => sum + r.points, 0)).toBe(lab.checks.reduce((sum, c) => sum + c.points, 0));
    });
  }
});
