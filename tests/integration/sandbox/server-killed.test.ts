// The server stopped mid-build and mid-check, by an operator (SIGTERM) or a crash (SIGKILL), then
// started again on the same data folder: the store opens cleanly, no check's attempts are half
// written, the cut build is recorded as interrupted, and each learner gets their own shell again
// (its folder and variables kept) with their files, the Docker CLI and the grader working.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../support/server-process.ts';
import { isKeptShellNotice, openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks } from '../../support/lab.ts';
import { waitFor } from '../../support/engine.ts';
import { LABELS } from '../../../server/sandbox/policy.ts';

const docker = new Docker();
let server: ServerProcess | undefined;
const terminals: TerminalClient[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.close().catch(() => undefined);
  await server?.cleanup();
  server = undefined;
});

/** A new learner with a terminal at its prompt, and their id (the gateway folder it added). */
async function newLearner(on: ServerProcess): Promise<{ id: string; terminal: TerminalClient }> {
  const before = new Set(on.learners());
  const terminal = await openTerminal(on.url);
  terminals.push(terminal);
  return { id: on.learners().find((l) => !before.has(l))!, terminal };
}

async function reopen(on: ServerProcess, old: TerminalClient): Promise<TerminalClient> {
  const terminal = await openTerminal(on.url, old.cookie);
  terminals.push(terminal);
  return terminal;
}

/** The learner's containers of one role on the engine (check containers, build steps…). */
const containersOf = (learner: string, role: string) =>
  docker.listContainers({ all: true, filters: { label: [`${LABELS.learner}=${learner}`, `${LABELS.role}=${role}`] } });

describe.each(['SIGTERM', 'SIGKILL'] as const)('the server stopped with %s mid-build and mid-check', (signal) => {
  it('starts again with the store whole, the build recorded as interrupted, and every learner\'s work kept', async () => {
    server = await startServerProcess();
    const dataDir = server.dataDir;
    const builder = await newLearner(server);
    const checker = await newLearner(server);
    const step = `sleep 300 && echo ${builder.id}`; // a step only this test runs
    await run(builder.terminal, `echo kept > ~/notes.txt && mkdir -p ~/slow && cd ~/slow && printf "FROM stagecraft/runtime\\nRUN ${step}\\n" > Dockerfile`);
    await copyIntoHome(checker.id, 'single-stage', 'solution', 'hello');
    await run(checker.terminal, 'cd ~/hello && docker build -q -t hello-world . > /dev/null && echo built', 180_000);
    await run(checker.terminal, 'KEPT=yes');
    const lessons = (await (await fetch(`${server.url}/api/lessons`)).json()) as { slug: string; checks: unknown[] }[];
    const lessonChecks = lessons.find((l) => l.slug === 'single-stage')!.checks.length;

    // Mid-build: the step's container runs. Mid-check (a first check: no evidence cached yet): the
    // grader's container exists.
    const from = builder.terminal.output.length;
    builder.terminal.type('docker build -t slow .\r');
    await builder.terminal.waitFor(/Running in [0-9a-f]{12}/, 120_000, from);
    const checking = runChecks(server.url, checker.terminal.cookie!, 'single-stage').catch(() => undefined);
    await waitFor(async () => (await containersOf(checker.id, 'check')).length > 0, 'the check has started a container', 30_000);
    await server.kill(signal);
    await checking;

    // The store opens cleanly, and every check run is recorded whole or not at all.
    const db = new DatabaseSync(path.join(dataDir, 'stagecraft.db'));
    try {
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    } finally {
      db.close();
    }
    server = await startServerProcess({}, dataDir);
    const store = new DatabaseSync(path.join(dataDir, 'stagecraft.db'), { readOnly: true });
    try {
      const runs = store.prepare('SELECT created_at, COUNT(*) AS n FROM attempts WHERE learner_id = ? GROUP BY created_at').all(checker.id);
      for (const row of runs) expect(row.n).toBe(lessonChecks);
      const builds = store.prepare('SELECT outcome FROM builds WHERE learner_id = ? ORDER BY id').all(builder.id);
      expect(builds).toEqual([{ outcome: 'interrupted' }]);
    } finally {
      store.close();
    }

    // Each learner's shell opens again in their own workspace: files, CLI and grading as before.
    const builderAgain = await reopen(server, builder.terminal);
    expect(await run(builderAgain, 'cat ~/notes.txt')).toBe('kept\n');
    expect(await run(builderAgain, 'cd ~/slow && printf "FROM stagecraft/runtime\\nCMD [\\"true\\"]\\n" > Dockerfile && docker build -q -t quick . > /dev/null && docker images --format "{{.Repository}}" quick')).toBe('quick\n');
    const checkerAgain = await reopen(server, checker.terminal);
    // The very shell they had: its folder and variables, and a notice of why no prompt was drawn.
    expect(checkerAgain.frames.filter(isKeptShellNotice)).toHaveLength(1);
    expect(await run(checkerAgain, 'echo $KEPT $PWD')).toBe('yes /home/learner/hello\n');
    expect(await run(checkerAgain, 'docker images --format "{{.Repository}}" hello-world')).toBe('hello-world\n');
    const { status, results } = await runChecks(server.url, checker.terminal.cookie!, 'single-stage');
    expect(status).toBe(200);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 'pass'));
    // Nothing the stopped server left running stays behind: the cut step and the cut check are gone.
    await waitFor(async () => (await containersOf(checker.id, 'check')).length === 0, 'no check container is left', 60_000);
    await waitFor(async () => (await docker.listContainers({ all: true })).every((c) => !c.Command.includes(step)), 'the cut build step is gone', 60_000);
    expect(fs.existsSync(dataDir)).toBe(true);
  });
});
