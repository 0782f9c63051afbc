// Wrong work, typed into a real workspace: each check fails with what was expected, what was seen,
// and a hint drawn from what really happened (the build's or the run's own output). Each part has a
// learner of its own, so the parts run in any order.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks } from '../../support/lab.ts';
import type { CheckResult } from '../../../src/schemas/checks.ts';

let server: TestServer;
const terminals: TerminalClient[] = [];
const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));
const statusesOf = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
const HELLO = `printf '%s\\n' '#include <stdio.h>' 'int main(void) { printf("Hello world\\n"); return 0; }' > hello.c`;
/** The single-stage lesson's Dockerfile, right but for the program's text (hello.c above). */
const SINGLE = `printf '%s\\n' 'FROM stagecraft/toolchain' 'WORKDIR /app' 'COPY . /app' 'RUN gcc hello.c -o hello' 'CMD /app/hello' > Dockerfile`;

beforeAll(async () => { server = await startTestServer(); });

afterAll(async () => {
  for (const terminal of terminals) await terminal.close();
  await server?.cleanup();
});

interface Learner { id: string; cookie: string; terminal: TerminalClient }

/** A new learner with a terminal at its prompt. */
async function newLearner(): Promise<Learner> {
  const before = new Set(server.learners());
  const cookie = await sessionCookie(server.url);
  const terminal = await openTerminal(server.url, cookie);
  terminals.push(terminal);
  return { id: server.learners().find((l) => !before.has(l))!, cookie, terminal };
}

describe('single-stage, done wrong', () => {
  it('the misprinted Dockerfile, then the wrong text: each failure says how, and the hints get more specific', async () => {
    const { cookie, terminal } = await newLearner();
    await run(terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && printf '%s\\n' 'FROM stagecraft/toolchain' 'RUN gcc --version &&' 'make --version' 'WORKDIR /app' 'COPY . /app' 'RUN gcc hello.c -o hello' 'CMD /app/hello' > Dockerfile`);
    await run(terminal, 'docker build -t hello-world .');
    const first = byId((await runChecks(server.url, cookie, 'single-stage')).results);
    expect(first['image-built']).toMatchObject({ status: 'fail', expected: 'an image named hello-world', seen: expect.stringContaining('no image named hello-world') });
    expect(first['image-built']!.hint).toMatch(/unknown instruction: MAKE.*backslash/);

    await run(terminal, "sed -i 's/&&$/\\&\\& \\\\/' Dockerfile && docker build -q -t hello-world .");
    const results = byId((await runChecks(server.url, cookie, 'single-stage')).results);
    expect(results['image-built']!.status).toBe('pass');
    expect(results['image-runs']).toMatchObject({ status: 'fail', expected: 'output exactly "Hello, world!"', seen: 'Hello world\n', points: 0 });
    // Its second failure (the first was the missing image) gets the second, more specific hint.
    expect(results['image-runs']!.hint).toMatch(/^hello\.c must print exactly/);
    const again = byId((await runChecks(server.url, cookie, 'single-stage')).results);
    expect(again['image-runs']!.hint).toBe(results['image-runs']!.hint);
  });
});

describe('multi-stage, done with one stage', () => {
  it('fails the size ratio, finds gcc inside, and counts one stage', async () => {
    const { cookie, terminal } = await newLearner();
    await run(terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && ${SINGLE} && docker build -q -t hello-world . && docker build -q -t hello-world-small .`, 120_000);
    const results = byId((await runChecks(server.url, cookie, 'multi-stage')).results);
    expect(results['small-built']!.status).toBe('pass');
    expect(results['many-times-smaller']).toMatchObject({ status: 'fail', seen: expect.stringMatching(/1\.0× smaller$/) });
    expect(results['no-compiler']).toMatchObject({ status: 'fail', seen: expect.stringContaining('/usr/bin/gcc') });
    // Judged on the Dockerfile that built the image, wherever it was: here ~/hello/Dockerfile.
    expect(results['two-stages']).toMatchObject({ status: 'fail', expected: 'at least 2 stages (FROM lines) in the Dockerfile that built hello-world-small', seen: '1 (Dockerfile)' });
    expect(results['copy-from']).toMatchObject({ status: 'fail', seen: 'no COPY --from a stage in the final stage' });
  });
});

describe('cmake, without the static link', () => {
  let learner: Learner;
  beforeAll(async () => {
    learner = await newLearner();
    await copyIntoHome(learner.id, 'cmake', 'solution', 'cmake');
    await run(learner.terminal, "sed -i '/CMAKE_EXE_LINKER_FLAGS/d' ~/cmake/CMakeLists.txt");
  });

  it('the program cannot start in the runtime image, and the hint names libstdc++', async () => {
    await run(learner.terminal, 'cd ~/cmake && docker build -q -t hello-cmake .', 120_000);
    const results = byId((await runChecks(server.url, learner.cookie, 'cmake')).results);
    expect(results['ten-lines']).toMatchObject({ status: 'fail', seen: expect.stringContaining('libstdc++.so.6') });
    expect(results['ten-lines']!.hint).toMatch(/needs libstdc\+\+\.so\.6/);
    expect(results['exec-form']!.status).toBe('pass');
  });

  it('a COPY of a file that is not there: the hint says where files must be', async () => {
    await run(learner.terminal, 'cd ~/cmake && mv hello.cpp hello.cxx && docker build -t hello-cmake-2 .; mv hello.cxx hello.cpp; docker image rm -f hello-cmake > /dev/null 2>&1', 120_000);
    const results = byId((await runChecks(server.url, learner.cookie, 'cmake')).results);
    expect(results['built']).toMatchObject({ status: 'fail' });
    expect(results['built']!.hint).toMatch(/RUN step|could not find a file to COPY/);
  });
});

describe('stored attempts', () => {
  it('progress counts every attempt and shows what passed', async () => {
    const { cookie, terminal } = await newLearner();
    const progress = async () => ((await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookie } })).json()) as { lessons: Record<string, { status: string; attempts: number; points: number }> }).lessons;
    await runChecks(server.url, cookie, 'single-stage');
    await runChecks(server.url, cookie, 'single-stage');
    expect((await progress())['single-stage']).toMatchObject({ status: 'started', attempts: 2, points: 0 });
    await run(terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && ${SINGLE} && docker build -q -t hello-world .`, 120_000);
    await runChecks(server.url, cookie, 'single-stage');
    const after = (await progress())['single-stage']!;
    expect(after).toMatchObject({ status: 'started', attempts: 3 });
    expect(after.points).toBeGreaterThan(0); // the image is built and runs; only its text is wrong
  });

  it('keeps a pass when the learner removes the image afterwards (tidying up), unless a rebuild failed', async () => {
    const { cookie, terminal } = await newLearner();
    const progress = async () => ((await (await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookie } })).json()) as { lessons: Record<string, { status: string }> }).lessons;
    await run(terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && sed -i 's/Hello world/Hello, world!/' hello.c && ${SINGLE} && docker build -q -t hello-world .`, 120_000);
    expect(statusesOf((await runChecks(server.url, cookie, 'single-stage')).results)).toEqual({ 'image-built': 'pass', 'image-runs': 'pass' });
    await run(terminal, 'docker image rm hello-world > /dev/null');
    const tidied = byId((await runChecks(server.url, cookie, 'single-stage')).results);
    expect(tidied['image-built']).toMatchObject({ status: 'error', cause: 'image_gone' });
    expect((await progress())['single-stage']!.status).toBe('passed');
    // A rebuild that fails leaves no image either: that the learner must hear about.
    await run(terminal, "cd ~/hello && printf 'FROM stagecraft/toolchain\\nRUN false\\n' > Dockerfile && docker build -q -t hello-world . ; true", 120_000);
    expect(byId((await runChecks(server.url, cookie, 'single-stage')).results)['image-built']!.status).toBe('fail');
  });
});

describe('evidence kept by image id', () => {
  let learner: Learner;
  beforeAll(async () => {
    learner = await newLearner();
    await run(learner.terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && ${SINGLE} && docker build -q -t hello-world .`, 120_000);
    await runChecks(server.url, learner.cookie, 'single-stage'); // what it sees of this image is kept
  });

  /** Check containers created since `since`: of the learner's image, and of the lab image programs run alone in. */
  const checkContainersSince = (since: number) => {
    const image = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', `sc-${learner.id}/hello-world`], { encoding: 'utf8' }).trim();
    const created = execFileSync('docker', ['events', '--since', since.toFixed(3), '--until', (Date.now() / 1000).toFixed(3),
      '--filter', `label=org.stagecraft.learner=${learner.id}`, '--filter', 'label=org.stagecraft.role=check', '--filter', 'event=create', '--format', '{{.Actor.Attributes.image}}'],
    { encoding: 'utf8' }).split('\n');
    return { image: created.filter((line) => line === image).length, alone: created.filter((line) => line === 'stagecraft/toolchain:latest').length };
  };
  const imageRuns = async () => byId((await runChecks(server.url, learner.cookie, 'single-stage')).results)['image-runs']!;

  it('runs an image once: a repeated check reuses what it saw, a rebuilt image is run again', async () => {
    let since = Date.now() / 1000;
    expect(await imageRuns()).toMatchObject({ status: 'fail', seen: 'Hello world\n' }); // the image checked before
    expect(checkContainersSince(since)).toEqual({ image: 0, alone: 0 });
    await run(learner.terminal, "cd ~/hello && sed -i 's/Hello world/Hello, world!/' hello.c && docker build -q -t hello-world .");
    since = Date.now() / 1000;
    expect((await imageRuns()).status).toBe('pass');
    // The image run as it is and its program read; then the program run on its own, in the lab's toolchain image.
    expect(checkContainersSince(since)).toEqual({ image: 2, alone: 1 });
    // The program was mounted from a file of the run's own, gone with the run.
    expect(fs.readdirSync(path.join(server.dataDir, 'check-programs'))).toEqual([]);
    since = Date.now() / 1000;
    expect((await imageRuns()).status).toBe('pass');
    expect(checkContainersSince(since)).toEqual({ image: 0, alone: 0 });
  });
});
