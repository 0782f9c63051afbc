// Golden cases, as data (tests/golden/<lesson>/<case>/), in the style of exercism's test runners:
// each folder holds the learner's files and commands, and expected_results.json the verdict each
// check must give. Every lesson has its reference route, other valid routes (another file name or
// folder, stage numbers, ENTRYPOINT, another path, scratch, more stages) and cheats (look-alikes,
// re-tags, scripts, borrowed programs). A cheat that passes or a valid route that fails is red.
// Figures typed in a lesson's blanks (learner.measured checks) are judged only by the cases that
// type some (measurements.json): the others say nothing of them.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyFolderIntoHome, copyIntoHome, measureInTerminal, runChecks, statuses, withoutMeasured } from '../../support/lab.ts';
import Docker from 'dockerode';
import { LABELS } from '../../../server/sandbox/policy.ts';

const docker = new Docker();

const ROOT = path.resolve(import.meta.dirname, '../../..');
const GOLDEN = path.join(ROOT, 'tests', 'golden');

interface Expected {
  description: string;
  from: 'solution' | 'files' | null;
  checks: Record<string, 'pass' | 'fail' | 'error'>;
  /** Words the hint of a failed check must hold: the hint must read the learner's real state. */
  hints?: Record<string, string>;
}

const cases = fs.readdirSync(GOLDEN).sort().flatMap((lesson) =>
  fs.readdirSync(path.join(GOLDEN, lesson)).sort().map((name) => ({ lesson, name, folder: path.join(GOLDEN, lesson, name) })));
const workdirOf = async (slug: string) => ((await import(path.join(ROOT, 'lessons', slug, 'checks.ts'))).default as { workdir: string }).workdir;

/** What a case types in the lesson's blanks: a multiple of an image's real size, of the ratio of two, or of its file count. */
type Typing = { image: string; times: number } | { ratio: [string, string]; times: number } | { files: string; times: number };

/** The case's figures, as text, from the learner's own images read in their own terminal. */
async function figures(terminal: Awaited<ReturnType<typeof openTerminal>>, typing: Record<string, Typing>): Promise<Record<string, string>> {
  const sizeOf = (image: string) => measureInTerminal(terminal, 'size', image);
  const out: Record<string, string> = {};
  for (const [check, t] of Object.entries(typing)) {
    if ('files' in t) {
      // Counted as the lesson tells the learner to, in their own terminal.
      const counted = await measureInTerminal(terminal, 'files', t.files);
      out[check] = String(Math.round(counted * t.times));
    } else {
      out[check] = 'image' in t ? String(Math.round((await sizeOf(t.image)) * t.times)) : ((await sizeOf(t.ratio[0])) / (await sizeOf(t.ratio[1])) * t.times).toFixed(1);
    }
  }
  return out;
}

let server: TestServer;
// A learner per case, all from loopback: more than the admission limit lets one network start in
// ten minutes once the cases run fast (that limit has tests of its own).
beforeAll(async () => { server = await startTestServer({ STAGECRAFT_NEW_LEARNERS_PER_ADDRESS: '1000' }); });
afterAll(async () => { await server?.cleanup(); });

describe('golden cases', () => {
  it('cover every lesson with checks: the reference, three other valid routes and four cheats at least', () => {
    for (const lesson of new Set(cases.map((c) => c.lesson))) {
      const names = cases.filter((c) => c.lesson === lesson).map((c) => c.name);
      expect(names, lesson).toContain('reference');
      expect(names.filter((n) => n.startsWith('cheat-')).length, lesson).toBeGreaterThanOrEqual(4);
      expect(names.filter((n) => n !== 'reference' && !n.startsWith('cheat-') && !n.startsWith('fail-')).length, lesson).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(cases)('$lesson/$name', async ({ lesson, folder }) => {
    const expected = JSON.parse(fs.readFileSync(path.join(folder, 'expected_results.json'), 'utf8')) as Expected;
    // A learner of their own for each case: nothing of another case's work can count.
    // Before the session: asking for one starts the learner's workspace (and gateway folder) at once.
    const before = new Set(server.learners());
    const cookie = await sessionCookie(server.url);
    const terminal = await openTerminal(server.url, cookie);
    const learner = server.learners().find((id) => !before.has(id))!;
    try {
      const workdir = await workdirOf(lesson);
      if (expected.from) await copyIntoHome(learner, lesson, expected.from, workdir);
      await copyFolderIntoHome(learner, folder, workdir);
      await run(terminal, `cd ~/${workdir} && bash commands.sh > /tmp/case.log 2>&1; tail -n 5 /tmp/case.log`, 240_000);
      const typingFile = path.join(folder, 'measurements.json');
      const typing = fs.existsSync(typingFile) ? JSON.parse(fs.readFileSync(typingFile, 'utf8')) as Record<string, Typing> : undefined;
      for (const [check, typed] of Object.entries(typing ? await figures(terminal, typing) : {})) {
        const saved = await fetch(`${server.url}/api/lessons/${lesson}/measurements`, { method: 'POST', headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/json' }, body: JSON.stringify({ check, typed }) });
        expect(saved.status, await saved.text()).toBe(200);
      }
      const checked = await runChecks(server.url, cookie, lesson);
      const { status } = checked;
      const results = typing ? checked.results : await withoutMeasured(lesson, checked.results);
      expect(status).toBe(200);
      const failing = results.filter((r) => r.status !== expected.checks[r.id]).map((r) => ({ id: r.id, status: r.status, expected: r.expected, seen: r.seen, cause: r.cause }));
      expect(statuses(results), `${expected.description}\n${JSON.stringify(failing, null, 1)}`).toEqual(expected.checks);
      // A fail always says what was expected and seen; an error never appears where a verdict was expected.
      for (const result of results.filter((r) => r.status === 'fail')) expect(result.expected && result.seen && result.hint, result.id).toBeTruthy();
      // A figure check never hands the learner the real figure (the store keeps it for the instructor).
      for (const result of results) expect(result.evidence.actual, result.id).toBeUndefined();
      for (const [id, words] of Object.entries(expected.hints ?? {})) expect(results.find((r) => r.id === id)?.hint, id).toContain(words);
    } finally {
      await terminal.close();
      // Its workspace stops (images and records stay): more cases than the lab's workspace cap run on one server.
      for (const workspace of await docker.listContainers({ filters: { label: [`${LABELS.learner}=${learner}`, `${LABELS.role}=workspace`] } })) {
        await docker.getContainer(workspace.Id).kill().catch(() => undefined);
      }
    }
  }, 300_000);
});
