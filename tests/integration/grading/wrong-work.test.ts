// Wrong work, typed into a real workspace: each check fails with what was expected, what was seen,
// and a hint drawn from what really happened (the build's or the run's own output).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks } from '../../support/lab.ts';
import type { CheckResult } from '../../../src/schemas/checks.ts';

let server: TestServer;
let terminal: TerminalClient;
let cookie: string;
let learner: string;
const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));
const HELLO = `printf '%s\\n' '#include <stdio.h>' 'int main(void) { printf("Hello world\\n"); return 0; }' > hello.c`;

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

describe('single-stage, done wrong', () => {
  it('the misprinted Dockerfile: no image, and the hint names the unknown instruction', async () => {
    await run(terminal, `mkdir -p ~/hello && cd ~/hello && ${HELLO} && printf '%s\\n' 'FROM stagecraft/toolchain' 'RUN gcc --version &&' 'make --version' 'WORKDIR /app' 'COPY . /app' 'RUN gcc hello.c -o hello' 'CMD /app/hello' > Dockerfile`);
    await run(terminal, 'docker build -t hello-world .');
    const results = byId((await runChecks(server.url, cookie, 'single-stage')).results);
    expect(results['image-built']).toMatchObject({ status: 'fail', expected: 'an image named hello-world', seen: expect.stringContaining('no image named hello-world') });
    expect(results['image-built']!.hint).toMatch(/unknown instruction: MAKE.*backslash/);
  });

  it('a program that prints the wrong text: expected and seen say how', async () => {
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
    await run(terminal, 'docker build -q -t hello-world-small .');
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
  it('the program cannot start in the runtime image, and the hint names libstdc++', async () => {
    await copyIntoHome(learner!, 'cmake', 'solution', 'cmake');
    await run(terminal, "cd ~/cmake && sed -i '/CMAKE_EXE_LINKER_FLAGS/d' CMakeLists.txt && docker build -q -t hello-cmake .", 120_000);
    const results = byId((await runChecks(server.url, cookie, 'cmake')).results);
    expect(results['ten-lines']).toMatchObject({ status: 'fail', seen: expect.stringContaining('libstdc++.so.6') });
    expect(results['ten-lines']!.hint).toMatch(/needs libstdc\+\+\.so\.6/);
    expect(results['exec-form']!.status).toBe('pass');
  });

  it('a COPY of a file that is not there: the hint says where files must be', async () => {
    await run(terminal, 'mv hello.cpp hello.cxx && docker build -t hello-cmake-2 .; mv hello.cxx hello.cpp; docker image rm -f hello-cmake > /dev/null');
    const results = byId((await runChecks(server.url, cookie, 'cmake')).results);
    expect(results['built']).toMatchObject({ status: 'fail' });
    expect(results['built']!.hint).toMatch(/RUN step|could not find a file to COPY/);
  });
});

describe('stored attempts', () => {
  it('progress counts every attempt and shows what passed', async () => {
    const res = await fetch(`${server.url}/api/progress`, { headers: { Cookie: cookie } });
    const { lessons } = (await res.json()) as { lessons: Record<string, { status: string; attempts: number; points: number }> };
    expect(lessons['single-stage']).toMatchObject({ status: 'started', attempts: 3 });
    expect(lessons['multi-stage']!.points).toBeGreaterThan(0);
  });
});

// Last: it fixes the single-stage work the tests above rely on being wrong.
describe('evidence kept by image id', () => {
  /** Check containers created for this learner since `since` (unix seconds). */
  const checkContainersSince = (since: number) => execFileSync('docker', ['events', '--since', since.toFixed(3), '--until', (Date.now() / 1000).toFixed(3),
    '--filter', `label=org.stagecraft.learner=${learner}`, '--filter', 'label=org.stagecraft.role=check', '--filter', 'event=create', '--format', '{{.ID}}'],
  { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  const imageRuns = async () => byId((await runChecks(server.url, cookie, 'single-stage')).results)['image-runs']!;

  it('runs an image once: a repeated check reuses what it saw, a rebuilt image is run again', async () => {
    let since = Date.now() / 1000;
    expect(await imageRuns()).toMatchObject({ status: 'fail', seen: 'Hello world\n' }); // the image the tests above ran
    expect(checkContainersSince(since)).toBe(0);
    await run(terminal, "cd ~/hello && sed -i 's/Hello world/Hello, world!/' hello.c && docker build -q -t hello-world .");
    since = Date.now() / 1000;
    expect((await imageRuns()).status).toBe('pass');
    // The image run as it is, its program read, then run on its own.
    expect(checkContainersSince(since)).toBe(3);
    since = Date.now() / 1000;
    expect((await imageRuns()).status).toBe('pass');
    expect(checkContainersSince(since)).toBe(0);
  });
});
