// The engine's own disk fills up (a dockerd of the test's own on a 400 MiB file system): the
// learner's build and run fail with a message that says so, their home files and the server's
// store are untouched, and the server goes on answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { runChecks } from '../../support/lab.ts';
import { ownEngineWithServer } from '../../support/own-engine.ts';
import { DISK_FULL_NOTE } from '../../../server/sandbox/gateway/build.ts';

const own = ownEngineWithServer({ images: ['stagecraft/workspace:latest', 'stagecraft/runtime:latest'], diskMiB: 400 });
let terminal: TerminalClient;
let cookie: string;

beforeAll(async () => {
  cookie = await sessionCookie(own.server.url);
  terminal = await openTerminal(own.server.url, cookie);
});
afterAll(async () => { await terminal?.close().catch(() => undefined); });

describe("the engine's disk full", () => {
  it('fails builds and runs with a message that says so; home files, the store and the server are untouched', async () => {
    await run(terminal, "echo kept > ~/kept.txt && mkdir -p ~/fill && cd ~/fill && printf 'FROM stagecraft/runtime\\nRUN dd if=/dev/zero of=/big bs=1M count=1000\\n' > Dockerfile");
    const build = await run(terminal, 'docker build -t fill . 2>&1; echo "build-exit=$((0+$?))"', 120_000);
    expect(build, build).toContain('No space left on device');
    expect(build).toContain(DISK_FULL_NOTE);
    expect(build).toContain('build-exit=1');

    const ran = await run(terminal, "docker run --rm stagecraft/runtime sh -c 'dd if=/dev/zero of=/big bs=1M count=1000' 2>&1; echo \"run-exit=$((0+$?))\"", 120_000);
    expect(ran).toContain('No space left on device');
    expect(ran).not.toContain('run-exit=0');

    expect(await run(terminal, 'cat ~/kept.txt')).toBe('kept\n');
    // The store is the server's, on its own disk: checks are judged and recorded as ever.
    const { status, results } = await runChecks(own.server.url, cookie, 'single-stage');
    expect(status).toBe(200);
    expect(results.length).toBeGreaterThan(0);
    const health = await (await fetch(`${own.server.url}/api/health`)).json() as { engines: { up: boolean }[] };
    expect(health.engines.map((e) => e.up)).toEqual([true]);
  });
});
